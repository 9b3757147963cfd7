// SPDX-License-Identifier: Apache-2.0
#include "core/transport/ShellCommand.h"

#include <QRegularExpression>

namespace Portoser {

QString ShellCommand::quote(const QString &value)
{
    // Words made only of safe characters stay readable in logs; everything else is single-quoted,
    // the one quoting form in which a POSIX shell interprets nothing at all.
    // Anchored at the very end (\z): `$` would also match before a final newline, and a value
    // ending in one would go out unquoted, its newline ending the command.
    static const QRegularExpression plain(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9_./:=@%+,-]+")));
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

static const QRegularExpression &placeholderPattern()
{
    static const QRegularExpression pattern(QStringLiteral("\\{([a-z_]+)\\}"));
    return pattern;
}

QString ShellCommand::fill(const QString &templ,
                           const std::function<QString(const QString &)> &word)
{
    QString script;
    qsizetype last = 0;
    for (auto m = placeholderPattern().globalMatch(templ); m.hasNext();) {
        const auto match = m.next();
        script += templ.mid(last, match.capturedStart() - last);
        script += word(match.captured(1));
        last = match.capturedEnd();
    }
    return script + templ.mid(last);
}

QStringList ShellCommand::placeholders(const QString &templ)
{
    QStringList names;
    for (auto m = placeholderPattern().globalMatch(templ); m.hasNext();) {
        const QString name = m.next().captured(1);
        if (!names.contains(name))
            names.append(name);
    }
    return names;
}

} // namespace Portoser
