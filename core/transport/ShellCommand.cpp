// SPDX-License-Identifier: Apache-2.0
#include "core/transport/ShellCommand.h"

#include <QRegularExpression>
#include <QSet>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

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

namespace {

/** The simple commands of a template (split at unquoted ; | & ( ) and newlines), each as its
 *  words with their quotes kept. A lint's view, not a shell parser: enough to name the command. */
QList<QStringList> simpleCommands(const QString &templ)
{
    QList<QStringList> commands{{}};
    QString word;
    QChar quote;
    auto endWord = [&] {
        if (!word.isEmpty())
            commands.last().append(std::exchange(word, QString()));
    };
    for (qsizetype i = 0; i < templ.size(); ++i) {
        const QChar c = templ.at(i);
        if (!quote.isNull()) {
            word += c;
            if (c == quote)
                quote = QChar();
            else if (c == u'\\' && quote == u'"' && i + 1 < templ.size())
                word += templ.at(++i);
            continue;
        }
        if (c == u'\\' && i + 1 < templ.size()) {
            word += c;
            word += templ.at(++i);
        } else if (c == u'\'' || c == u'"') {
            quote = c;
            word += c;
        } else if (c == u' ' || c == u'\t') {
            endWord();
        } else if (QStringView(u";|&()\n").contains(c)) {
            endWord();
            if (!commands.last().isEmpty())
                commands.append(QStringList());
        } else {
            word += c;
        }
    }
    endWord();
    return commands;
}

/** Programs that read an argument as code, or run another command from their arguments. */
bool runsItsArguments(const QString &program)
{
    static const QSet<QString> programs{
        u"awk"_s,      u"gawk"_s,    u"mawk"_s,      u"nawk"_s,    u"sed"_s,     u"gsed"_s,
        u"perl"_s,     u"ruby"_s,    u"irb"_s,       u"node"_s,    u"nodejs"_s,  u"deno"_s,
        u"php"_s,      u"lua"_s,     u"luajit"_s,    u"tclsh"_s,   u"wish"_s,    u"expect"_s,
        u"R"_s,        u"Rscript"_s, u"osascript"_s, u"pwsh"_s,    u"bash"_s,    u"sh"_s,
        u"dash"_s,     u"zsh"_s,     u"ksh"_s,       u"mksh"_s,    u"ash"_s,     u"csh"_s,
        u"tcsh"_s,     u"fish"_s,    u"busybox"_s,   u"eval"_s,    u"source"_s,  u"."_s,
        u"exec"_s,     u"trap"_s,    u"command"_s,   u"builtin"_s, u"env"_s,     u"nice"_s,
        u"nohup"_s,    u"timeout"_s, u"stdbuf"_s,    u"time"_s,    u"watch"_s,   u"xargs"_s,
        u"parallel"_s, u"sudo"_s,    u"su"_s,        u"doas"_s,    u"runuser"_s, u"chroot"_s,
        u"nsenter"_s,  u"unshare"_s, u"setsid"_s,    u"flock"_s,   u"script"_s,  u"systemd-run"_s,
        u"ssh"_s,      u"at"_s,      u"batch"_s,     u"crontab"_s};
    return programs.contains(program) || program.startsWith(u"python"_s);
}

} // namespace

std::optional<QString> ShellCommand::unsafePlaceholder(const QString &templ)
{
    if (placeholders(templ).isEmpty())
        return std::nullopt;
    // The value reaches the command named, as one word: that command must not be one that reads
    // a word as code (sed, awk, a shell) or runs a command from its arguments (env, sudo,
    // find -exec, docker exec), and must be named plainly, so that this check sees which it is.
    static const QRegularExpression assignment(u"^[A-Za-z_][A-Za-z0-9_]*="_s);
    for (const QStringList &words : simpleCommands(templ)) {
        const bool hasPlaceholder = std::any_of(words.cbegin(), words.cend(), [](const QString &w) {
            return placeholderPattern().match(w).hasMatch();
        });
        if (!hasPlaceholder)
            continue;
        QString program;
        for (const QString &w : words) {
            if (assignment.match(w).hasMatch() || w.startsWith(u'<') || w.startsWith(u'>')
                || (w.size() > 1 && w.at(0).isDigit() && (w.at(1) == u'>' || w.at(1) == u'<')))
                continue; // NAME=value and redirections come before the command
            program = w;
            break;
        }
        if (placeholderPattern().match(program).hasMatch())
            return QStringLiteral("a placeholder may not name the command to run (%1)")
                .arg(program);
        if (program.contains(QRegularExpression(u"[\"'\\\\$`]"_s)))
            return QStringLiteral("with placeholders, name the command plainly (not %1), so that "
                                  "what it does with a value can be checked")
                .arg(program);
        const QString base = program.section(u'/', -1);
        const auto has = [&words](std::initializer_list<QStringView> any) {
            return std::any_of(words.cbegin(), words.cend(), [&any](const QString &w) {
                return std::find(any.begin(), any.end(), QStringView(w)) != any.end();
            });
        };
        const bool runsCommand =
            runsItsArguments(base)
            || (base == u"find" && has({u"-exec", u"-execdir", u"-ok", u"-okdir"}))
            || (QStringList{u"docker"_s, u"podman"_s, u"nerdctl"_s, u"kubectl"_s, u"crictl"_s,
                            u"ctr"_s, u"ip"_s}
                    .contains(base)
                && has({u"exec", u"run", u"netns"}));
        if (runsCommand)
            return QStringLiteral("%1 may read a value as code or run it as a command: a tool's "
                                  "values go only to commands that take them as data")
                .arg(base);
    }
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
