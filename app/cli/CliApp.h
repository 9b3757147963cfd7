// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/CliCommand.h"

#include <QTextStream>

#include <memory>
#include <vector>

namespace Portoser {
class Orchestrator;
}

namespace Portoser::Cli {

/**
 * `portoser --cli`: picks the command, parses its options, handles --help, --version and
 * --registry, and maps failures to exit codes. Runs in-process so tests can call it directly.
 */
class CliApp
{
public:
    CliApp(Orchestrator &orchestrator, QTextStream &out, QTextStream &err);
    ~CliApp();

    /** `args` are the words after `--cli`. Returns the process exit code. */
    int run(const QStringList &args);

    /** The list of commands, for `portoser --help`. */
    QString commandList() const;

private:
    CliCommand *find(const QString &name) const;
    QString helpFor(const CommandSpec &spec) const;
    int usageError(const QString &message, const QString &command = {});

    Orchestrator &m_orchestrator;
    QTextStream &m_out;
    QTextStream &m_err;
    std::vector<std::unique_ptr<CliCommand>> m_commands;
};

} // namespace Portoser::Cli
