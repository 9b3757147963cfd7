// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/CliCommand.h"

namespace Portoser::Cli {

/** `restart SERVICE...` and `start SERVICE...`: run the current release again, health-gated. */
class RestartCommand : public CliCommand
{
public:
    explicit RestartCommand(QString name)
        : m_name(std::move(name))
    {}
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;

private:
    QString m_name;
};

/** `move SERVICE --to HOST`: deploy on the new host, gate, stop the old, then edit the registry. */
class MoveCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

/** `unit SERVICE [--launchd]`: a systemd unit (or launchd plist) that runs the deployed service. */
class UnitCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

/** `logs SERVICE [-n N] [-f]`: the tail of a service's log on its host, optionally following it. */
class LogsCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

} // namespace Portoser::Cli
