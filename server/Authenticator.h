// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/access/Access.h"
#include "core/access/TokenStore.h"

#include <QElapsedTimer>
#include <QHash>

#include <functional>
#include <optional>

namespace Portoser {

struct HttpRequest;

/**
 * Turns a request's `Authorization: Bearer …` into a Principal. API tokens are checked against
 * a cache of the token table (re-read at most every two seconds, so `token create` and `revoke`
 * in another process take effect at once); JWTs go to the OIDC verifier when one is set.
 * With no token ever created and no issuer configured, a loopback listener is open (revoking the
 * last token does not reopen it).
 */
class Authenticator
{
public:
    using JwtVerifier = std::function<Result<Principal>(const QByteArray &jwt)>;

    Authenticator(TokenStore tokens, bool loopback);

    void setJwtVerifier(JwtVerifier verifier) { m_jwt = std::move(verifier); }
    /** Whether any credential exists (then every route but /healthz needs one). */
    bool authConfigured();
    /** The caller, or nothing when the request carries no credential and auth is open. An
     *  error (PermissionDenied) when the credential is missing but needed, or wrong. */
    Result<Principal> authenticate(const QByteArray &authorization);

private:
    void refresh(bool force);

    TokenStore m_tokens;
    bool m_loopback;
    JwtVerifier m_jwt;
    QHash<QByteArray, ApiToken> m_byHash;
    QHash<QByteArray, qint64> m_refused; // unknown token hashes, when last refused
    QElapsedTimer m_refusedClock;
    bool m_hadTokens = false; // once true, stays: revoking the last token does not reopen the API
    QElapsedTimer m_lastRefresh;
};

} // namespace Portoser
