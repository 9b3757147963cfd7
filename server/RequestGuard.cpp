// SPDX-License-Identifier: Apache-2.0
#include "server/RequestGuard.h"

#include "server/ApiError.h"

#include <QUrl>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

bool isLoopbackName(const QString &host)
{
    return host == u"localhost"_s || host == u"127.0.0.1"_s || host == u"::1"_s
           || host == u"[::1]"_s;
}

/** The host part of a Host header ("name:port", "[::1]:8420"). */
QString hostOf(const QByteArray &header)
{
    const QString value = QString::fromLatin1(header).trimmed().toLower();
    if (value.startsWith(u'['))
        return value.section(u']', 0, 0) + u']';
    return value.section(u':', 0, 0);
}

} // namespace

bool RequestGuard::originAllowed(const QByteArray &origin) const
{
    if (origin.isEmpty())
        return true; // not a browser: cross-site requests and DNS rebinding need one
    const QUrl url(QString::fromLatin1(origin));
    if ((url.scheme() == u"http"_s || url.scheme() == u"https"_s) && isLoopbackName(url.host()))
        return true;
    return m_allowedOrigins.contains(QString::fromLatin1(origin));
}

std::optional<HttpResponse> RequestGuard::refusal(const HttpRequest &request, bool openMode) const
{
    const QByteArray origin = request.header("Origin");
    if (!originAllowed(origin))
        return ApiError::response(403, u"forbidden_origin"_s,
                                  u"origin %1 is not allowed (serve --allow-origin adds one)"_s.arg(
                                      QString::fromLatin1(origin).left(200)));
    if (openMode && request.localUser.isEmpty()) {
        const QString host = hostOf(request.header("Host"));
        const QHostAddress address(host.startsWith(u'[') ? host.mid(1, host.size() - 2) : host);
        if (!host.isEmpty() && !isLoopbackName(host) && !address.isLoopback())
            return ApiError::response(
                403, u"forbidden_host"_s,
                u"Host %1 is not this coordinator's: while no API token exists it answers only "
                "to localhost (create one with `portoser --cli token create NAME`)"_s.arg(
                    host.left(200)));
    }
    // A POST is a "simple" cross-site request even without a body; without a credential (a page
    // cannot attach one) it must say JSON too, which a page cannot without a preflight that
    // nothing here answers.
    const bool credentialless = request.header("Authorization").isEmpty();
    if (!request.body.isEmpty() || (request.method == "POST" && credentialless)) {
        const QByteArray type =
            request.header("Content-Type").split(';').value(0).trimmed().toLower();
        static const QList<QByteArray> accepted = {"application/json", "application/yaml",
                                                   "application/x-yaml", "text/yaml"};
        if (!accepted.contains(type))
            return ApiError::response(
                415, u"unsupported_media_type"_s,
                u"a request body must be sent as application/json (a registry may also be "
                "application/yaml), not %1"_s.arg(type.isEmpty() ? u"without a Content-Type"_s
                                                                 : QString::fromLatin1(type)));
    }
    return std::nullopt;
}

} // namespace Portoser
