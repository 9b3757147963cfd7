// SPDX-License-Identifier: Apache-2.0
#include "core/tls/CaddyAdmin.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

CaddyAdmin::CaddyAdmin(QString endpoint)
    : m_endpoint(std::move(endpoint))
{
    if (!m_endpoint.contains(u"://"_s))
        m_endpoint.prepend(u"http://"_s);
    while (m_endpoint.endsWith(u'/'))
        m_endpoint.chop(1);
}

Result<HttpAnswer> CaddyAdmin::send(const QByteArray &method, const QString &path,
                                    const QByteArray &body, const QByteArray &ifMatch,
                                    bool reload) const
{
    QNetworkAccessManager network;
    QNetworkRequest request{QUrl(m_endpoint + path)};
    request.setRawHeader("Content-Type", "application/json");
    if (!ifMatch.isEmpty())
        request.setRawHeader("If-Match", ifMatch);
    if (reload) // Caddy skips a config equal to the running one unless told to revalidate
        request.setRawHeader("Cache-Control", "must-revalidate");
    request.setTransferTimeout(30000);
    auto answer =
        blockingHttp(network, request, method, body, u"Caddy admin API at %1"_s.arg(m_endpoint));
    if (!answer)
        return answer.error();
    const HttpAnswer &r = *answer;
    if (r.status >= 400) {
        const QString said = QJsonDocument::fromJson(r.body)
                                 .object()
                                 .value(u"error"_s)
                                 .toString(QString::fromUtf8(r.body).trimmed());
        return Error{r.status == 412 ? ErrorCode::Conflict : ErrorCode::InvalidInput,
                     r.status == 412
                         ? u"Caddy's config changed since it was read (another coordinator?); "
                           "plan again"_s
                         : u"Caddy refused it and still runs its previous config: %1"_s.arg(said)};
    }
    return r;
}

Result<CaddyAdmin::Running> CaddyAdmin::current() const
{
    auto reply = send("GET", u"/config/"_s);
    if (!reply)
        return reply.error();
    return Running{QJsonDocument::fromJson(reply->body).object(), reply->etag};
}

Result<void> CaddyAdmin::load(const QJsonObject &config, const QByteArray &ifMatch,
                              bool reload) const
{
    auto reply = send("POST", u"/load"_s, QJsonDocument(config).toJson(QJsonDocument::Compact),
                      ifMatch, reload);
    if (!reply)
        return reply.error();
    return {};
}

Result<void> CaddyAdmin::setUpstream(const QString &routeId, const QString &dial) const
{
    const QJsonArray upstreams{QJsonObject{{u"dial"_s, dial}}};
    auto reply = send("PATCH", u"/id/%1/handle/0/upstreams"_s.arg(routeId),
                      QJsonDocument(upstreams).toJson(QJsonDocument::Compact));
    if (!reply)
        return reply.error();
    return {};
}

} // namespace Portoser
