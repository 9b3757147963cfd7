// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/CliCommand.h"
#include "app/cli/ServerClient.h"

namespace Portoser::Cli {

/** `deploy [SERVICE...] [--dry-run]` and the upstream form `deploy HOST SERVICE...`. */
class DeployCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;

    /** Prints step progress on stderr (text mode), for every command that deploys. */
    static ProgressFn progressPrinter(CliContext &context);
    /** Prints the records as a table or JSON; returns 0, 1 (all failed) or 3 (some failed). */
    static int report(CliContext &context, const Result<QList<DeploymentRecord>> &records);

private:
    static int printPlan(CliContext &context, const DeployPlan &plan);
    /** The same deploy (or --dry-run) done by a running coordinator. */
    static int remote(CliContext &context, const QCommandLineParser &args,
                      const ServerClient &server, const QStringList &services);
};

} // namespace Portoser::Cli
