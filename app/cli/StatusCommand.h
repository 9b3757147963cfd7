// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/CliCommand.h"

namespace Portoser::Cli {

/** `status [SERVICE...]`: state, host, release, pid, health and uptime, asked of the hosts. */
class StatusCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

/** `stop SERVICE...`: stops the process group (TERM, then KILL after stop_timeout). */
class StopCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

} // namespace Portoser::Cli
