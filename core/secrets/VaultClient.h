// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/secrets/SecretsSettings.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QUrlQuery>

#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace Portoser {

/**
 * HashiCorp Vault's HTTP API, synchronously (the caller is a worker thread or the CLI). Logs in
 * with a token (VAULT_TOKEN, a 0600 token file, or the OS keychain) or AppRole (VAULT_ROLE_ID and
 * a secret ID from VAULT_SECRET_ID or a file), renews an AppRole token when two thirds of its
 * lease are gone and logs in again when renewal is refused, sends the namespace header, and trusts
 * a custom CA. Vault's answers become clear errors: sealed (503), permission denied (403), not
 * found (404), check-and-set mismatch (400 → Conflict). No token or value is ever in a message.
 */
class VaultClient
{
public:
    struct Reply
    {
        int status = 0;
        QJsonObject body;
    };
    /** Where a token comes from when neither the environment nor a file has one. */
    using TokenSource = std::function<Result<QByteArray>()>;

    explicit VaultClient(VaultSettings settings, TokenSource keychainToken = {});
    ~VaultClient();
    Q_DISABLE_COPY_MOVE(VaultClient)

    /**
     * `method` on `/v1/<path>`: authenticated, renewed, one re-login after a 403 on AppRole.
     * 404 is returned as a Reply (callers decide what "absent" means); other failures are errors.
     */
    Result<Reply> call(const QByteArray &method, const QString &path, const QJsonObject &body = {},
                       const QUrlQuery &query = {});
    /** GET /v1/sys/health without a token: {initialized, sealed, version} or unreachable. */
    Result<QJsonObject> health();
    /** The token's remaining TTL and policies (lookup-self). */
    Result<QJsonObject> lookupSelf();

    const VaultSettings &settings() const { return m_settings; }
    /** "approle" or "token". */
    QString authMethod() const;
    int logins() const { return m_logins; }
    int renewals() const { return m_renewals; }

private:
    Result<Reply> send(const QByteArray &method, const QString &path, const QJsonObject &body,
                       const QUrlQuery &query, bool withToken);
    Result<void> ensureToken();
    Result<void> login();
    Result<void> renew();
    void takeLease(const QJsonObject &auth);
    Error errorFor(const QString &path, const Reply &reply) const;

    VaultSettings m_settings;
    TokenSource m_keychainToken;
    std::unique_ptr<QNetworkAccessManager> m_network;
    QByteArray m_token;
    qint64 m_leaseMs = 0; // 0: the token does not expire (or we do not renew it)
    QElapsedTimer m_leaseStart;
    int m_logins = 0;
    int m_renewals = 0;
};

} // namespace Portoser
