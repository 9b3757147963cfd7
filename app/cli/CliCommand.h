// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/CliContext.h"
#include "app/cli/ExitCode.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QString>

namespace Portoser::Cli {

/** What `--help` shows for a command and which options it accepts. */
struct CommandSpec
{
    QString name;                      // "dependencies"
    QString synopsis;                  // "order [SERVICE...] | graph [--dot] | impact SERVICE"
    QString summary;                   // one line for the command list
    QString details;                   // paragraphs for `<command> --help`
    QList<QCommandLineOption> options; // besides --registry, --json and --help
    bool takesJson = true;             // read commands all take --json
    bool usesHosts = false;            // takes --db and --accept-new-host-keys
    /** Goes through a coordinator running here for the registry, when one answers (takes
     *  --local to reach the hosts itself instead). */
    bool throughCoordinator = false;
};

/** One `portoser --cli <name>` command: parses nothing itself, only runs. */
class CliCommand
{
public:
    virtual ~CliCommand() = default;
    virtual CommandSpec spec() const = 0;
    /** `args` is already parsed; positional arguments start after the command name. */
    virtual int run(CliContext &context, const QCommandLineParser &args) = 0;
};

} // namespace Portoser::Cli
