// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/CliCommand.h"

namespace Portoser {
class DependencyGraph;
}

namespace Portoser::Cli {

/** `dependencies order|graph|impact`: deploy waves, the edge list, and who is affected. */
class DependenciesCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;

private:
    int order(CliContext &context, const Registry &registry, const QStringList &services);
    int graph(CliContext &context, const Registry &registry, bool dot);
    int impact(CliContext &context, const Registry &registry, const QString &service);
};

} // namespace Portoser::Cli
