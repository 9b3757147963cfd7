// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "server/McpServer.h"
#include "server/Router.h"

#include <QHash>

#include <memory>

namespace Portoser {

class ApiServer;

/**
 * MCP over Streamable HTTP at /mcp: POST carries one JSON-RPC message and gets JSON, or an SSE
 * stream when a tool reports progress; `initialize` opens a session (Mcp-Session-Id), DELETE
 * ends it, GET opens the session's stream of resource updates. The Origin header is checked
 * against DNS rebinding; MCP-Protocol-Version must be one we speak.
 */
class McpEndpoint
{
public:
    explicit McpEndpoint(ApiServer &server);
    ~McpEndpoint();

    void addRoutes(Router &router);

private:
    void post(const CallPtr &call);
    void remove(const CallPtr &call);
    void stream(const CallPtr &call);
    /** Ends a session: its stream closes, it is forgotten. */
    void end(std::shared_ptr<McpSession> session);
    /** The caller's own session named by Mcp-Session-Id, or nullptr with the refusal. */
    std::shared_ptr<McpSession> sessionOf(const CallPtr &call, HttpResponse *refusal) const;

    ApiServer &m_server;
    std::unique_ptr<McpServer> m_mcp;
    QHash<QString, std::shared_ptr<McpSession>> m_sessions;
};

} // namespace Portoser
