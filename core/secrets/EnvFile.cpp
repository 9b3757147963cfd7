// SPDX-License-Identifier: Apache-2.0
#include "core/secrets/EnvFile.h"

#include <QRegularExpression>

namespace Portoser::EnvFile {

using namespace Qt::Literals::StringLiterals;

Result<QMap<QString, QString>> parse(const QByteArray &text, const QString &where)
{
    static const QRegularExpression name(u"^[A-Za-z_][A-Za-z0-9_.]*$"_s);
    QMap<QString, QString> out;
    const QStringList lines = QString::fromUtf8(text).split(u'\n');
    for (qsizetype n = 0; n < lines.size(); ++n) {
        QString line = lines.at(n);
        if (line.endsWith(u'\r'))
            line.chop(1);
        qsizetype indent = 0;
        while (indent < line.size() && line.at(indent).isSpace())
            ++indent;
        QString rest = line.trimmed();
        if (rest.isEmpty() || rest.startsWith(u'#'))
            continue;
        auto fail = [&](qsizetype column, const QString &what) {
            return Error{ErrorCode::ParseError,
                         u"%1:%2:%3: %4"_s.arg(where).arg(n + 1).arg(column + 1).arg(what)};
        };
        qsizetype column = indent;
        if (rest.startsWith(u"export "_s)) {
            rest = rest.mid(7).trimmed();
            column = line.indexOf(rest);
        }
        const qsizetype eq = rest.indexOf(u'=');
        if (eq <= 0)
            return fail(column, u"expected KEY=value"_s);
        const QString key = rest.left(eq).trimmed();
        if (!name.match(key).hasMatch())
            return fail(column, u"'%1' is not a variable name"_s.arg(key));
        QString value = rest.mid(eq + 1).trimmed();
        const qsizetype valueColumn = line.indexOf(u'=', column) + 1;
        if (value.startsWith(u'\'')) {
            const qsizetype end = value.indexOf(u'\'', 1);
            if (end < 0)
                return fail(valueColumn, u"unterminated single quote"_s);
            value = value.mid(1, end - 1);
        } else if (value.startsWith(u'"')) {
            QString unescaped;
            qsizetype i = 1;
            for (; i < value.size() && value.at(i) != u'"'; ++i) {
                QChar c = value.at(i);
                if (c == u'\\' && i + 1 < value.size()) {
                    const QChar next = value.at(++i);
                    c = next == u'n' ? QChar(u'\n') : next == u't' ? QChar(u'\t') : next;
                }
                unescaped.append(c);
            }
            if (i >= value.size())
                return fail(valueColumn, u"unterminated double quote"_s);
            value = unescaped;
        } else {
            const qsizetype comment = value.indexOf(u" #"_s);
            if (comment >= 0)
                value = value.left(comment).trimmed();
        }
        out.insert(key, value);
    }
    return out;
}

} // namespace Portoser::EnvFile
