// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

namespace Portoser {

/**
 * One script for a host, from a POSIX sh file compiled in as a resource (core/scripts/<name>.sh,
 * :/scripts/<name>.sh): a header of `variable=value` lines, the prelude's functions when the
 * script uses them, then the file's body.
 *
 * The header is the one place values enter a script: setValue() quotes them through
 * ShellCommand::quote, so nothing a user typed reaches the shell unquoted; set() takes a shell
 * expression built by us (pathExpression()'s `"$HOME"/'x'`, itself made of quoted words).
 *
 * A file starts with a comment block that declares the variables it reads: a `# Reads:` line,
 * then one `#   $variable  what it is` line each (several `$variables` may share a line;
 * indented lines without one continue the description). The block is not sent to the host.
 * render() checks that the variables set are exactly those declared.
 */
class HostScript
{
public:
    enum PreludeUse {
        WithoutPrelude,
        WithPrelude
    };

    explicit HostScript(const QString &name, PreludeUse prelude = WithoutPrelude);

    /** Sets `variable` to a shell expression of ours (never raw input: quote what it holds). */
    HostScript &set(const QString &variable, const QString &expression);
    /** Sets `variable` to `value`, quoted: the shell sees exactly these characters. */
    HostScript &setValue(const QString &variable, const QString &value);
    HostScript &setValue(const QString &variable, qint64 number);
    /** Sets `variable` to 1, or to the empty string (the scripts test flags with `[ -n ]`). */
    HostScript &setFlag(const QString &variable, bool on);

    /** The header, the prelude (when used) and the body. */
    QString render() const;

    /** What is wrong with the variables set against those the file declares; empty when none. */
    QString contractMismatch() const;

    /** Every script compiled in, by name (the file name without `.sh`). */
    static QStringList names();
    /** A script's body: the file without its leading comment block. Empty when there is none. */
    static QString body(const QString &name);
    /** The variables a script's leading comment declares under `# <section>:` (Reads, Sets). */
    static QStringList declared(const QString &name,
                                const QString &section = QStringLiteral("Reads"));
    /** Whether `variable` is a name the header may set: [a-z_][a-z0-9_]*. */
    static bool isValidName(const QString &variable);

private:
    QString m_name;
    PreludeUse m_prelude;
    QList<std::pair<QString, QString>> m_variables; // in the order set: an expression may read an
                                                    // earlier one (`svc`)
};

} // namespace Portoser
