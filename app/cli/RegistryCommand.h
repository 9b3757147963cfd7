// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/CliCommand.h"

namespace Portoser::Cli {

/** `registry list-services|list-hosts|show NAME`: what the registry says, resolved. */
class RegistryCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;

private:
    int listServices(CliContext &context, const Registry &registry, const QString &hostFilter);
    int listHosts(CliContext &context, const Registry &registry);
    int show(CliContext &context, const Registry &registry, const QString &name);
};

} // namespace Portoser::Cli
