// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/CliCommand.h"

namespace Portoser::Cli {

/** `metrics HOST|SERVICE [--since 1h]`: the watchdog's observations of one host or service over
 *  time (and a service's uptime and MTTR). */
class MetricsCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

} // namespace Portoser::Cli
