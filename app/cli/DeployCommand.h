// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/CliCommand.h"

namespace Portoser::Cli {

/** `deploy [SERVICE...] [--dry-run]` and the upstream form `deploy HOST SERVICE...`. */
class DeployCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

} // namespace Portoser::Cli
