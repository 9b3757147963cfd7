// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/CliCommand.h"

namespace Portoser::Cli {

/** `observe [SERVICE|HOST...]`: what one round trip per host sees, hosts and services. */
class ObserveCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

/** `diagnose [SERVICE...]`: problems, evidence, score and the playbook that would run. */
class DiagnoseCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

/** `heal --once|--watch [SERVICE...]`, `heal events`: the self-healing loop. */
class HealCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;

private:
    int events(CliContext &context, const QCommandLineParser &args, const QString &service);
    int watch(CliContext &context, const Registry &registry, const QCommandLineParser &args,
              const QStringList &services);
};

/** `learn record|stats|playbooks|insights`: the knowledge base. */
class LearnCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;

private:
    int record(CliContext &context, const QCommandLineParser &args, const QStringList &words);
    int stats(CliContext &context);
    int playbooks(CliContext &context);
    int insights(CliContext &context, const QString &service);
};

} // namespace Portoser::Cli
