// SPDX-License-Identifier: Apache-2.0
#include "server/Authenticator.h"

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

static constexpr qint64 RefreshMs = 2000;
// An unknown token re-reads the table at most this often: a token made a moment ago works at once,
// and a stream of bad tokens costs at most 50 small reads a second.
static constexpr qint64 ForcedRefreshMs = 20;

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
        if (!m_byHash.contains(hash) && m_lastRefresh.elapsed() > ForcedRefreshMs)
            refresh(true); // made a moment ago by another process?
        const auto it = m_byHash.constFind(hash);
        if (it == m_byHash.cend())
            return Error{ErrorCode::PermissionDenied, u"invalid or revoked API token"_s};
        return Principal{u"token:"_s + it->name, it->role, u"token"_s, {}};
    }
    if (m_jwt)
        return m_jwt(bearer);
    return Error{ErrorCode::PermissionDenied,
                 u"not an API token, and no OIDC issuer is configured for JWTs"_s};
}

} // namespace Portoser
