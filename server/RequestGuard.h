// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "server/HttpServer.h"

#include <QStringList>

#include <optional>

namespace Portoser {

/**
 * What a browser must not be able to make the coordinator do for another site (cross-site
 * requests, DNS rebinding), checked before authentication on every route:
 * - a foreign `Origin` (not localhost and not `--allow-origin`) is refused;
 * - while the API is open (no token yet), a `Host` other than localhost or a loopback address
 *   is refused: a rebinding page names its own domain there;
 * - a body, and a POST without a credential, must say it is JSON (or YAML, for a registry):
 *   the content types a cross-site form may send without asking first (text/plain, form
 *   encodings, none) are refused.
 */
class RequestGuard
{
public:
    explicit RequestGuard(QStringList allowedOrigins)
        : m_allowedOrigins(std::move(allowedOrigins))
    {}

    /** The refusal to answer, or nothing when the request may go on. */
    std::optional<HttpResponse> refusal(const HttpRequest &request, bool openMode) const;
    /** An Origin a page on this machine (any port) or an allowed one sends; none: not a browser. */
    bool originAllowed(const QByteArray &origin) const;

private:
    QStringList m_allowedOrigins;
};

} // namespace Portoser
