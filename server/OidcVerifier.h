// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/access/Access.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QStringList>

#include <functional>

class QNetworkAccessManager;

namespace Portoser {

/** How bearer JWTs from an OIDC issuer (Keycloak, Dex, Authentik, ...) are accepted. */
struct OidcSettings
{
    QString issuer;          // exactly the token's `iss`
    QString audience;        // must be in `aud` ...
    QString authorizedParty; // ... or, where the issuer leaves `aud` out (Keycloak), `azp`
    QString desktopClient;   // the public client the window signs in with (empty: authorizedParty)
    QString rolesClaim = QStringLiteral("groups"); // dotted path, e.g. realm_access.roles
    QMap<Role, QStringList> roleGroups;            // role -> groups/roles that grant it
    int leewaySeconds = 60;                        // clock skew allowed on exp and nbf

    bool enabled() const { return !issuer.isEmpty(); }
    /** What is missing for a safe configuration, if anything. */
    std::optional<QString> problem() const;
};

/**
 * Verifies bearer JWTs against the issuer's published keys: discovery document, JWKS (cached,
 * re-read when a token names a key id it has not seen, at most every 5 seconds), RS256 or
 * ES256 only (never `none`), `iss`, `aud`/`azp`, `exp`, `nbf`, and maps the roles claim to a
 * role. Lives on the server's thread.
 */
class OidcVerifier : public QObject
{
    Q_OBJECT

public:
    explicit OidcVerifier(OidcSettings settings, QObject *parent = nullptr);
    ~OidcVerifier() override;

    /** Fetches the discovery document and keys, waiting (before the server listens). */
    Result<void> loadKeys();
    /** Re-reads the keys unless that happened in the last 5 s; `done` runs afterwards. */
    void refreshKeys(std::function<void()> done);

    /** The caller the token stands for. An unknown key id is ErrorCode::NotFound (refresh and
     *  try again); anything else that is wrong is PermissionDenied with the reason. */
    Result<Principal> verify(const QByteArray &jwt) const;

private:
    void fetchKeys(std::function<void(const Result<void> &)> done);

    OidcSettings m_settings;
    QNetworkAccessManager *m_network = nullptr;
    QMap<QString, QJsonObject> m_keys; // kid -> JWK
    QElapsedTimer m_lastFetch;
    QList<std::function<void()>> m_waiting;
};

} // namespace Portoser
