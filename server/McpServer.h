// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/access/Access.h"
#include "core/access/AuditLog.h"
#include "core/access/OperatorTools.h"

#include <QJsonObject>
#include <QObject>
#include <QSet>

#include <functional>
#include <memory>

namespace Portoser {

class Coordinator;

/** What one MCP client negotiated. */
struct McpSession
{
    QString id;
    QString protocolVersion;
    QString logLevel = QStringLiteral("info");
    QString principal; // the caller that opened it; nobody else may use it
    bool initialized = false;
    qint64 lastUsedMs = 0; // epoch ms of its last request (the least recent goes first when full)
    QJsonObject clientInfo;
    /** The resource URIs it subscribed to (resources/subscribe), at most 256. */
    QSet<QString> subscriptions;
    /** Where messages the server starts go (resource updates): the GET stream over HTTP, stdout
     *  over stdio; empty while there is none. */
    std::function<void(const QJsonObject &)> push;
    /** Ends the stream `push` writes to (a new stream takes over; DELETE or eviction ends it). */
    std::function<void()> endStream;
    quint64 streamNumber = 0; // which of its streams is the current one
    /** Ids of its requests the client cancelled while they ran: their answers are dropped. Shared
     *  with the answers in flight, which may outlive the session. */
    std::shared_ptr<QSet<QString>> cancelled = std::make_shared<QSet<QString>>();
};

/**
 * MCP's JSON-RPC methods, independent of the transport (Streamable HTTP and stdio today, the
 * stateless 2026-07-28 revision later): initialize and version negotiation, ping, tools/list,
 * tools/call over the Operations catalog (RBAC, schema-checked arguments, structured results,
 * progress notifications for jobs, cancellation), resources (portoser:// URIs, read through the
 * same operations, with subscriptions), prompts, completion of service and host names, and
 * logging/setLevel. Every tool call is audited.
 */
class McpServer : public QObject
{
    Q_OBJECT

public:
    using Send = std::function<void(const QJsonObject &message)>;
    using Audit = std::function<void(const AuditEntry &entry)>;

    explicit McpServer(Coordinator &coordinator, QObject *parent = nullptr);

    void setAudit(Audit audit) { m_audit = std::move(audit); }
    /** Where the operator-registered tools come from (read at each tools/list and call). */
    void setOperatorTools(std::function<QList<OperatorTool>()> tools)
    {
        m_tools = std::move(tools);
    }
    /** Newest first; what `initialize` may agree on. */
    static QStringList supportedVersions();

    /**
     * Handles one message. A request gets exactly one `reply` (perhaps later, from this thread);
     * `notify` carries notifications meant for it (progress) before that. Notifications and
     * responses from the client get no reply.
     */
    void handle(const QJsonObject &message, McpSession &session, const Principal &caller,
                Send reply, Send notify);

    static QJsonObject error(const QJsonValue &id, int code, const QString &message);
    /** Sends `session` a notifications/resources/updated for each of `uris` it subscribed to. */
    static void pushUpdates(McpSession &session, const QStringList &uris);

signals:
    /** Resources whose content an event of the coordinator changed (transports fan it out to
     *  their sessions with pushUpdates). */
    void resourcesUpdated(const QStringList &uris);

private:
    void dispatch(const QString &method, const QJsonValue &id, const QJsonObject &params,
                  McpSession &session, const Principal &caller, const Send &reply,
                  const Send &notify);
    void readResource(const QJsonValue &id, const QString &uri, const Principal &caller,
                      const Send &reply);
    QJsonObject complete(const QJsonObject &params) const;
    QJsonObject initialize(const QJsonObject &params, McpSession &session) const;
    QJsonObject toolList() const;
    void callTool(const QJsonValue &id, const QJsonObject &params, const Principal &caller,
                  const Send &reply, const Send &notify);

    void callOperatorTool(const QJsonValue &id, const OperatorTool &tool,
                          const QJsonObject &arguments, const Principal &caller, const Send &reply);

    Coordinator &m_coordinator;
    Audit m_audit;
    std::function<QList<OperatorTool>()> m_tools;
};

} // namespace Portoser
