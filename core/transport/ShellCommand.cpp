// SPDX-License-Identifier: Apache-2.0
#include "core/transport/ShellCommand.h"

#include <QRegularExpression>

namespace Portoser {

QString ShellCommand::quote(const QString &value)
{
    // Words made only of safe characters stay readable in logs; everything else is single-quoted,
    // the one quoting form in which a POSIX shell interprets nothing at all.
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./:=@%+,-]+$"));
    if (!value.isEmpty() && plain.match(value).hasMatch())
        return value;
    QString quoted = QStringLiteral("'");
    for (const QChar c : value) {
        if (c == u'\'')
            quoted += QStringLiteral("'\\''");
        else
            quoted += c;
    }
    quoted += u'\'';
    return quoted;
}

} // namespace Portoser
