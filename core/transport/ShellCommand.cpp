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

std::optional<QString> ShellCommand::unsafePlaceholder(const QString &templ)
{
    enum class Quote {
        None,
        Single,
        Double
    } quote = Quote::None;
    bool heredoc = false;
    for (qsizetype i = 0; i < templ.size(); ++i) {
        const QChar c = templ.at(i);
        if (quote == Quote::Single) {
            if (c == u'\'')
                quote = Quote::None;
        } else if (c == u'\\') {
            ++i; // the next character is taken literally (in "…" too, for \" and \\)
            continue;
        } else if (c == u'"') {
            quote = quote == Quote::Double ? Quote::None : Quote::Double;
        } else if (c == u'\'' && quote == Quote::None) {
            quote = Quote::Single;
        } else if (c == u'<' && quote == Quote::None && templ.mid(i, 2) == QStringLiteral("<<")) {
            heredoc = true;
        }
        if (c != u'{')
            continue;
        const auto m = placeholderPattern().match(templ, i, QRegularExpression::NormalMatch,
                                                  QRegularExpression::AnchorAtOffsetMatchOption);
        if (!m.hasMatch())
            continue;
        const QString name = m.captured(1);
        if (quote == Quote::Single)
            return QStringLiteral("{%1} is inside '…': the value's quoting would end there; "
                                  "write it outside quotes (it is quoted when filled)")
                .arg(name);
        if (quote == Quote::Double)
            return QStringLiteral("{%1} is inside \"…\": a $(…) in the value would run; "
                                  "write it outside quotes (it is quoted when filled)")
                .arg(name);
        if (heredoc)
            return QStringLiteral("{%1} follows a here-document (<<), where a $(…) in the "
                                  "value would run; pass it as an argument instead")
                .arg(name);
        if (i > 0 && templ.at(i - 1) == u'$')
            return QStringLiteral("${%1} would be read as a shell expansion; write {%1}").arg(name);
        i = m.capturedEnd() - 1;
    }
    return std::nullopt;
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
