// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/CliCommand.h"

namespace Portoser::Cli {

/** `token create|list|revoke`: API tokens for `--serve`. */
class TokenCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

/** `audit list`: who called what through the API and MCP. */
class AuditCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

/** `tools list|show|add|remove`: operator-registered MCP tools. */
class ToolsCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

/** `mcp`: the MCP server on stdin/stdout, for desktop clients that spawn servers. */
class McpCommand : public CliCommand
{
public:
    CommandSpec spec() const override;
    int run(CliContext &context, const QCommandLineParser &args) override;
};

} // namespace Portoser::Cli
