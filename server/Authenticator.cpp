// SPDX-License-Identifier: Apache-2.0
#include "server/Authenticator.h"

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

static constexpr qint64 RefreshMs = 2000;

Authenticator::Authenticator(TokenStore tokens, bool loopback)
    : m_tokens(std::move(tokens))
    , m_loopback(loopback)
{}

void Authenticator::refresh(bool force)
{
    if (!force && m_lastRefresh.isValid() && m_lastRefresh.elapsed() < RefreshMs)
        return;
    if (auto tokens = m_tokens.activeByHash())
        m_byHash = *tokens;
    if (!m_hadTokens) {
        auto ever = m_tokens.anyEverCreated();
        m_hadTokens = !ever || *ever; // unreadable: not open
    }
    m_lastRefresh.start();
}

bool Authenticator::authConfigured()
{
    refresh(false);
    return !m_byHash.isEmpty() || m_hadTokens || bool(m_jwt);
}

Result<Principal> Authenticator::authenticate(const QByteArray &authorization)
{
    // The scheme is case-insensitive (RFC 7235 §2.1).
    const bool isBearer = authorization.size() > 7
                          && authorization.left(7).compare("bearer ", Qt::CaseInsensitive) == 0;
    const QByteArray bearer = isBearer ? authorization.mid(7).trimmed() : QByteArray();
    if (authorization.isEmpty()) {
        if (!authConfigured() && m_loopback)
            // Open: deploy and look, but no secret values, tokens or audit for any local page
            // or process that finds the port (the first token is made on this machine's CLI).
            return Principal{u"anonymous"_s, Role::Operator, u"open"_s, {}};
        return Error{ErrorCode::PermissionDenied,
                     u"authentication required: send Authorization: Bearer <token>"_s};
    }
    if (bearer.isEmpty())
        return Error{ErrorCode::PermissionDenied,
                     u"unsupported Authorization scheme: use Bearer <token>"_s};
    if (bearer.startsWith("pt_")) {
        const QByteArray hash = TokenStore::hashOf(bearer);
        refresh(false);
        // Made a moment ago by another process? Look again, unless this very token was refused
        // a moment ago (a client retrying a bad token costs no reads).
        if (!m_byHash.contains(hash)
            && (!m_refused.contains(hash)
                || m_refusedClock.elapsed() - m_refused.value(hash) > 1000))
            refresh(true);
        const auto it = m_byHash.constFind(hash);
        if (it == m_byHash.cend()) {
            if (m_refused.size() > 1000)
                m_refused.clear();
            if (!m_refusedClock.isValid())
                m_refusedClock.start();
            m_refused.insert(hash, m_refusedClock.elapsed());
            return Error{ErrorCode::PermissionDenied, u"invalid or revoked API token"_s};
        }
        return Principal{u"token:"_s + it->name, it->role, u"token"_s, {}};
    }
    if (m_jwt)
        return m_jwt(bearer);
    return Error{ErrorCode::PermissionDenied,
                 u"not an API token, and no OIDC issuer is configured for JWTs"_s};
}

} // namespace Portoser
