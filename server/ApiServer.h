// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/access/AuditLog.h"
#include "core/access/OperatorTools.h"
#include "server/Authenticator.h"
#include "server/Metrics.h"
#include "server/OidcVerifier.h"
#include "server/RateLimiter.h"
#include "server/RequestGuard.h"
#include "server/Router.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QThreadPool>

#include <memory>

namespace Portoser {

class Coordinator;
class HealLoop;
class HistoryStore;
class HttpServer;
class LocalHttpListener;
class McpEndpoint;

struct ApiSettings
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8420;
    QString tlsCertificate, tlsKey;
    double ratePerSecond = 2000; // per client; generous: the coordinator's own clients are few
    double rateBurst = 4000;
    qint64 maxBodyBytes = 1 << 20;
    int idleTimeoutSeconds = 60; // a connection without a request for this long is closed
    QStringList allowedOrigins;  // browser origins besides http(s)://localhost and 127.0.0.1
    OidcSettings oidc;
    /** Where this machine's own CLI reaches the coordinator (LocalEndpoint::socketPath of the
     *  registry); empty: no local socket. Its callers act as `local:<login>` with the admin role:
     *  they are the user the coordinator runs as. */
    QString localSocket;
};

/**
 * The network face of `--serve`: every request goes through size limit, rate limit,
 * authentication and role check, then to a REST route or the MCP endpoint; mutating calls are
 * audited; every answer has the same security headers and error shape.
 */
class ApiServer : public QObject
{
    Q_OBJECT

public:
    ApiServer(Coordinator &coordinator, ApiSettings settings, QObject *parent = nullptr);
    ~ApiServer() override;

    /** Opens the database, checks the auth rules for the address, and listens. */
    Result<quint16> start();
    /** Stops taking connections and calls `done` once every request being answered has its
     *  answer, or after `deadlineMs` (SIGTERM: in-flight reads are answered, not dropped). */
    void drain(int deadlineMs, std::function<void()> done);
    /** The watchdog whose passes feed the status and whose events go on the stream. */
    void setWatchdog(HealLoop *watchdog);

    Coordinator &coordinator() { return m_coordinator; }
    HealLoop *watchdog() const { return m_watchdog; }
    Authenticator &authenticator() { return *m_auth; }
    AuditLog &audit() { return *m_audit; }
    const ApiSettings &settings() const { return m_settings; }
    /** Where posted registries are validated: one at a time, off the event loop (a member, so
     *  a validation still running when the server goes is waited for first). */
    QThreadPool &validations() { return m_validations; }
    const Router &router() const { return m_router; }
    /** Whether the API is open (loopback, no credentials configured). */
    bool isOpen();
    QByteArray metricsText();
    /** The operator-registered MCP tools (read on this thread; writes go through a worker). */
    QList<OperatorTool> operatorTools() const;
    /** Writes an entry to the audit log (a failure to write is logged, never fatal). */
    void audit(const AuditEntry &entry);

private:
    /** `keysRefreshed`: the OIDC keys were re-read for this request already. */
    void handle(const HttpRequest &request, const std::shared_ptr<HttpExchange> &exchange,
                bool keysRefreshed = false);

    Coordinator &m_coordinator;
    ApiSettings m_settings;
    HealLoop *m_watchdog = nullptr;
    std::unique_ptr<HistoryStore> m_store; // tokens and audit, on this thread
    std::unique_ptr<TokenStore> m_tokens;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<Authenticator> m_auth;
    std::unique_ptr<OidcVerifier> m_oidc;
    RateLimiter m_rate;
    RequestGuard m_guard;
    Metrics m_metrics;
    Router m_router;
    std::unique_ptr<McpEndpoint> m_mcp;
    std::unique_ptr<HttpServer> m_http;
    std::unique_ptr<LocalHttpListener> m_local;
    QElapsedTimer m_uptime;
    QThreadPool m_validations; // last: destroyed (waited for) first
};

} // namespace Portoser
