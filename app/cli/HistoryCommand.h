// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/CliCommand.h"

namespace Portoser::Cli {

/** `history list [SERVICE] | show ID | diff A B`: what was deployed, when, by whom, how it went. */
class HistoryCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

} // namespace Portoser::Cli
