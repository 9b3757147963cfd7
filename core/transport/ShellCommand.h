// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Portoser {

/**
 * The one way a remote command is assembled: every argument goes through `quote()` and becomes
 * exactly one word for a POSIX shell, whatever it contains. Nothing a user typed is ever pasted
 * into a script without passing through here.
 */
class ShellCommand
{
public:
    explicit ShellCommand(const QString &program) { m_words.append(quote(program)); }

    /** Appends one argument, quoted. */
    ShellCommand &arg(const QString &value)
    {
        m_words.append(quote(value));
        return *this;
    }
    ShellCommand &args(const QStringList &values)
    {
        for (const QString &v : values)
            arg(v);
        return *this;
    }
    /** Appends shell syntax written by us (a redirection such as "2>&1"), never user data. */
    ShellCommand &raw(const QString &syntax)
    {
        m_words.append(syntax);
        return *this;
    }

    QString toString() const { return m_words.join(u' '); }

    /** 'value' with every ' written as '\'' so the shell sees the exact bytes, one word. */
    static QString quote(const QString &value);

    /**
     * An operator's command template with each {name} ([a-z_]+) replaced by `word(name)`: the
     * caller returns a quoted word (or a shell expression of its own), never raw input.
     */
    static QString fill(const QString &templ, const std::function<QString(const QString &)> &word);
    /** The {names} a template uses, in order, without repeats. */
    static QStringList placeholders(const QString &templ);
    /**
     * Why a placeholder of `templ` would not stay one word once filled with a quoted value, or
     * nothing when each stands where the shell reads a plain word. Inside '…' the value's own
     * quotes end the quoting; inside "…" or a here-document `$(…)` in the value runs; after `$`
     * it is read as an expansion.
     */
    static std::optional<QString> unsafePlaceholder(const QString &templ);

private:
    QStringList m_words;
};

} // namespace Portoser
