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
    if (placeholders(templ).isEmpty())
        return std::nullopt;
    // Shell syntax that reads a word again (nested substitutions, arithmetic, bash's [[ ]] and
    // $'…', here-documents, eval, another shell's -c, ssh's remote command) is not modelled
    // here: with placeholders, a template keeps to plain commands, pipes and quotes.
    static const QList<std::pair<QString, QString>> rereads = {
        {QStringLiteral("`"), QStringLiteral("backticks")},
        {QStringLiteral("$("), QStringLiteral("$(…) or $((…))")},
        {QStringLiteral("${"), QStringLiteral("${…}")},
        {QStringLiteral("(("), QStringLiteral("((…))")},
        {QStringLiteral("[["), QStringLiteral("[[…]]")},
        {QStringLiteral("$'"), QStringLiteral("$'…'")},
        {QStringLiteral("<<"), QStringLiteral("a here-document")},
        {QStringLiteral("\\{"), QStringLiteral("a backslash before a placeholder")},
    };
    for (const auto &[token, what] : rereads) {
        if (templ.contains(token))
            return QStringLiteral("a template with placeholders may not use %1, where a value "
                                  "could be read as shell code; keep it to plain commands")
                .arg(what);
    }
    static const QRegularExpression rereadingCommand(
        QStringLiteral("(^|[\\s;|&(])(eval|source|\\.|ssh|su|sudo|xargs|(ba|da|z|k|a)?sh)(\\s|$)"));
    if (const auto m = rereadingCommand.match(templ); m.hasMatch())
        return QStringLiteral("a template with placeholders may not run %1, which reads its "
                              "arguments as shell code again")
            .arg(m.captured(2));
    enum class Quote {
        None,
        Single,
        Double
    } quote = Quote::None;
    for (qsizetype i = 0; i < templ.size(); ++i) {
        const QChar c = templ.at(i);
        if (quote == Quote::Single) {
            if (c == u'\'')
                quote = Quote::None;
            else if (c == u'{'
                     && placeholderPattern()
                            .match(templ, i, QRegularExpression::NormalMatch,
                                   QRegularExpression::AnchorAtOffsetMatchOption)
                            .hasMatch())
                return QStringLiteral("%1 is inside '…': the value's quoting would end there; "
                                      "write it outside quotes (it is quoted when filled)")
                    .arg(templ.mid(i, templ.indexOf(u'}', i) - i + 1));
            continue;
        }
        if (c == u'\\') {
            ++i; // the next character is taken literally (in "…" too, for \" and \\)
            continue;
        }
        if (c == u'#' && quote == Quote::None && (i == 0 || templ.at(i - 1).isSpace())) {
            const qsizetype eol = templ.indexOf(u'\n', i); // a comment: its quotes are text
            if (eol < 0)
                break;
            i = eol;
            continue;
        }
        if (c == u'"') {
            quote = quote == Quote::Double ? Quote::None : Quote::Double;
            continue;
        }
        if (c == u'\'' && quote == Quote::None) {
            quote = Quote::Single;
            continue;
        }
        if (c != u'{')
            continue;
        const auto m = placeholderPattern().match(templ, i, QRegularExpression::NormalMatch,
                                                  QRegularExpression::AnchorAtOffsetMatchOption);
        if (!m.hasMatch())
            continue;
        const QString name = m.captured(1);
        if (quote == Quote::Double)
            return QStringLiteral("{%1} is inside \"…\": a $(…) in the value would run; "
                                  "write it outside quotes (it is quoted when filled)")
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
