// SPDX-License-Identifier: Apache-2.0
#include "server/McpEndpoint.h"

#include "server/ApiServer.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QUrl>
#include <QUuid>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int MaxSessions = 1000;
constexpr int MaxSessionsPerCaller = 64;

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

HttpResponse rpcError(int status, int code, const QString &message)
{
    HttpResponse r;
    r.status = status;
    r.body = compact(McpServer::error(QJsonValue(), code, message));
    return r;
}

} // namespace

McpEndpoint::McpEndpoint(ApiServer &server)
    : m_server(server)
    , m_mcp(std::make_unique<McpServer>(server.coordinator()))
{
    m_mcp->setOperatorTools([this] { return m_server.operatorTools(); });
    m_mcp->setAudit([this](const AuditEntry &entry) { m_server.audit(entry); });
    QObject::connect(m_mcp.get(), &McpServer::resourcesUpdated, m_mcp.get(),
                     [this](const QStringList &uris) {
                         for (const auto &session : std::as_const(m_sessions))
                             McpServer::pushUpdates(*session, uris);
                     });
}

std::shared_ptr<McpSession> McpEndpoint::sessionOf(const CallPtr &call, HttpResponse *refusal) const
{
    const QString id = QString::fromLatin1(call->request.header("Mcp-Session-Id"));
    if (id.isEmpty()) {
        *refusal = rpcError(400, -32000, u"missing Mcp-Session-Id header"_s);
        return nullptr;
    }
    auto session = m_sessions.value(id);
    if (!session || session->principal != call->principal.name) {
        *refusal = rpcError(404, -32001, u"unknown or ended session"_s);
        return nullptr;
    }
    return session;
}

void McpEndpoint::stream(const CallPtr &call)
{
    HttpResponse refusal;
    const auto session = sessionOf(call, &refusal);
    if (!session)
        return call->finish(refusal);
    if (!call->request.header("Accept").contains("text/event-stream"))
        return call->finish(rpcError(406, -32000, u"the stream needs Accept: text/event-stream"_s));
    // One stream per session: a new one takes over, and the old one ends.
    if (session->endStream)
        session->endStream();
    auto exchange = call->exchange;
    exchange->beginStream(200, {{"Content-Type", "text/event-stream"},
                                {"Cache-Control", "no-cache"},
                                {"Mcp-Session-Id", session->id.toLatin1()}});
    exchange->write(": portoser resource updates\n\n");
    call->finish(HttpResponse{}); // metrics; the stream has answered already
    // The session holds the stream (nothing else does once this handler returns) until it
    // closes, a newer one takes over, or the session ends.
    const quint64 number = ++session->streamNumber;
    session->push = [exchange](const QJsonObject &message) {
        exchange->write("event: message\ndata: " + compact(message) + "\n\n");
    };
    session->endStream = [exchange] { exchange->close(); };
    std::weak_ptr<McpSession> owner = session;
    QObject::connect(exchange.get(), &HttpExchange::closed, exchange.get(), [owner, number] {
        const auto s = owner.lock();
        if (s && s->streamNumber == number) { // not a newer stream's
            s->push = {};
            s->endStream = {};
        }
    });
}

void McpEndpoint::end(std::shared_ptr<McpSession> session) // a copy: it may be the hash's own
{
    if (session->endStream)
        session->endStream();
    session->push = {};
    session->endStream = {};
    m_sessions.remove(QString(session->id));
}

McpEndpoint::~McpEndpoint() = default;

void McpEndpoint::addRoutes(Router &router)
{
    Route post;
    post.method = "POST";
    post.pattern = u"/mcp"_s;
    post.role = Role::Viewer; // each tool checks its own role
    post.summary = u"MCP Streamable HTTP: one JSON-RPC message per request"_s;
    post.handler = [this](const CallPtr &call) { this->post(call); };
    router.add(post);

    Route get = post;
    get.method = "GET";
    get.summary = u"MCP server-initiated stream of a session: resource updates it subscribed to"_s;
    get.handler = [this](const CallPtr &call) { stream(call); };
    router.add(get);

    Route del = post;
    del.method = "DELETE";
    del.summary = u"End an MCP session"_s;
    del.handler = [this](const CallPtr &call) { remove(call); };
    router.add(del);
}

void McpEndpoint::post(const CallPtr &call)
{
    const QByteArray version = call->request.header("MCP-Protocol-Version");
    if (!version.isEmpty()
        && !McpServer::supportedVersions().contains(QString::fromLatin1(version)))
        return call->finish(rpcError(
            400, -32000,
            u"unsupported MCP-Protocol-Version %1; supported: %2"_s.arg(
                QString::fromLatin1(version), McpServer::supportedVersions().join(u", "_s))));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(call->request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return call->finish(rpcError(400, -32700, u"parse error: "_s + parseError.errorString()));
    if (!doc.isObject())
        return call->finish(rpcError(400, -32600, u"expected one JSON-RPC message (no batches)"_s));
    const QJsonObject message = doc.object();
    const QString method = message.value(u"method"_s).toString();

    std::shared_ptr<McpSession> session;
    if (method == u"initialize") {
        // Clients rarely end their sessions (DELETE); the least recently used one makes room,
        // taken from the caller's own sessions when it has its share, else from whoever holds
        // most: one caller opening sessions in a loop never ends another's.
        QHash<QString, int> held;
        for (const auto &open : std::as_const(m_sessions))
            ++held[open->principal];
        QString evictFrom;
        if (held.value(call->principal.name) >= MaxSessionsPerCaller) {
            evictFrom = call->principal.name;
        } else if (m_sessions.size() >= MaxSessions) {
            for (auto it = held.cbegin(); it != held.cend(); ++it) {
                if (evictFrom.isEmpty() || it.value() > held.value(evictFrom))
                    evictFrom = it.key();
            }
        }
        if (!evictFrom.isEmpty()) {
            auto oldest = m_sessions.end();
            for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it) {
                if (it.value()->principal == evictFrom
                    && (oldest == m_sessions.end()
                        || it.value()->lastUsedMs < oldest.value()->lastUsedMs))
                    oldest = it;
            }
            if (oldest != m_sessions.end())
                end(oldest.value());
        }
        session = std::make_shared<McpSession>();
        session->id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        session->principal = call->principal.name;
        m_sessions.insert(session->id, session);
    } else {
        HttpResponse refusal;
        session = sessionOf(call, &refusal);
        if (!session)
            return call->finish(refusal);
    }
    session->lastUsedMs = QDateTime::currentMSecsSinceEpoch();

    const bool isRequest = message.contains(u"id"_s) && !method.isEmpty();
    if (!isRequest) {
        m_mcp->handle(
            message, *session, call->principal, [](const QJsonObject &) {},
            [](const QJsonObject &) {});
        HttpResponse accepted;
        accepted.status = 202;
        accepted.contentType = "application/json";
        return call->finish(accepted);
    }

    // A tool that reports progress answers on an event stream; anything else as plain JSON.
    const bool wantsStream = method == u"tools/call"
                             && message.value(u"params"_s)
                                    .toObject()
                                    .value(u"_meta"_s)
                                    .toObject()
                                    .contains(u"progressToken"_s)
                             && call->request.header("Accept").contains("text/event-stream");
    const QByteArray sessionHeader = session->id.toLatin1();
    if (!wantsStream) {
        m_mcp->handle(
            message, *session, call->principal,
            [call, sessionHeader](const QJsonObject &response) {
                HttpResponse r;
                if (response.isEmpty()) // cancelled by the client: nothing to say
                    r.status = 202;
                else
                    r.body = compact(response);
                r.headers.emplaceBack("Mcp-Session-Id", sessionHeader);
                call->finish(r);
            },
            [](const QJsonObject &) {});
        return;
    }
    auto exchange = call->exchange;
    exchange->beginStream(
        200, {{"Content-Type", "text/event-stream"}, {"Mcp-Session-Id", sessionHeader}});
    auto sse = [](const QJsonObject &m) -> QByteArray {
        return "event: message\ndata: " + compact(m) + "\n\n";
    };
    m_mcp->handle(
        message, *session, call->principal,
        [call, exchange, sse](const QJsonObject &response) {
            if (!response.isEmpty()) // empty: cancelled by the client
                exchange->write(sse(response));
            exchange->close();
            call->finish(HttpResponse{}); // audit and metrics; the exchange has answered already
        },
        [exchange, sse](const QJsonObject &notification) { exchange->write(sse(notification)); });
}

void McpEndpoint::remove(const CallPtr &call)
{
    HttpResponse refusal;
    const auto session = sessionOf(call, &refusal);
    if (!session)
        return call->finish(refusal);
    end(session);
    HttpResponse r;
    r.status = 204;
    call->finish(r);
}

} // namespace Portoser
