// SPDX-License-Identifier: Apache-2.0
#include "app/ServeConfig.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

QString ServeConfig::defaultPath()
{
    const QString user = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
                         + u"/portoser/serve.conf"_s;
    if (QFileInfo::exists(user))
        return user;
    const QString system = u"/etc/portoser/serve.conf"_s;
    return QFileInfo::exists(system) ? system : QString();
}

Result<QStringList> ServeConfig::toArguments(const QString &path, const QStringList &valueOptions,
                                             const QStringList &flagOptions)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return Error{ErrorCode::NotFound, u"%1: %2"_s.arg(path, file.errorString())};
    QStringList args;
    int lineNumber = 0;
    while (!file.atEnd()) {
        ++lineNumber;
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const qsizetype eq = line.indexOf(u'=');
        const QString where = u"%1:%2"_s.arg(path).arg(lineNumber);
        if (eq <= 0)
            return Error{ErrorCode::ParseError, u"%1: expected `key = value`"_s.arg(where)};
        const QString key = line.left(eq).trimmed();
        const QString value = line.mid(eq + 1).trimmed();
        if (flagOptions.contains(key)) {
            if (value != u"true" && value != u"false")
                return Error{ErrorCode::ParseError,
                             u"%1: %2 is true or false, not '%3'"_s.arg(where, key, value)};
            if (value == u"true")
                args.append(u"--"_s + key);
        } else if (valueOptions.contains(key)) {
            for (const QString &item : value.split(u',', Qt::SkipEmptyParts))
                args << u"--"_s + key << item.trimmed();
        } else {
            return Error{ErrorCode::ParseError,
                         u"%1: unknown setting '%2' (known: %3)"_s.arg(
                             where, key, (valueOptions + flagOptions).join(u", "_s))};
        }
    }
    return args;
}

} // namespace Portoser
