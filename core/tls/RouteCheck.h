// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QSslCertificate>
#include <QStringList>

#include <chrono>
#include <vector>

namespace Portoser {

/**
 * Asks Caddy for routes the way their clients do: one HTTPS request per route to Caddy's
 * listener, with the route's hostname as SNI, certificate name and Host, answered within a short
 * deadline. Caddy's config only says where a route points; what it answers says whether anything
 * answers there (502, 503 and 504 are Caddy's own answers when no upstream did). The requests run
 * at once, each on a thread of its own, so a route that hangs costs the deadline once.
 */
class RouteCheck
{
public:
    struct Request
    {
        QString hostname;
        QString path = QStringLiteral("/");
        QString clientCertificate; // PEM files presented when the route requires client
        QString clientKey;         // certificates (mTLS)
        /** The route serves the operator's own certificate (`tls_cert`): its issuer may be
         *  unknown here, so only its names and dates are checked, not its chain. */
        bool ownCertificate = false;
    };

    /** Caddy's HTTPS listener at `address`:`port`; `trusted`: CAs besides the system's. */
    RouteCheck(QString address, int port, QList<QSslCertificate> trusted,
               std::chrono::milliseconds timeout = std::chrono::seconds(5));

    QString listener() const;
    /** Per request, in order: the HTTP status Caddy answered, or why it gave none. */
    std::vector<Result<int>> run(const QList<Request> &requests) const;
    /** Whether `status` is Caddy's own answer for a route whose upstream did not answer. */
    static bool upstreamFailed(int status)
    {
        return status == 502 || status == 503 || status == 504;
    }

private:
    Result<int> ask(const Request &request) const;

    QString m_address;
    int m_port = 443;
    QList<QSslCertificate> m_trusted;
    std::chrono::milliseconds m_timeout;
};

} // namespace Portoser
