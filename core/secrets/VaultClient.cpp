// SPDX-License-Identifier: Apache-2.0
#include "core/secrets/VaultClient.h"

#include "core/net/BlockingHttp.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QSslCertificate>
#include <QSslConfiguration>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

/** The first line of a file that only its owner may read; `what` names it in errors. */
Result<QByteArray> readPrivateFile(const QString &path, const QString &what)
{
    QFile file(path);
    if (!file.exists())
        return Error{ErrorCode::NotFound, u"%1 file %2 does not exist"_s.arg(what, path)};
    const auto others = QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther;
    if (file.permissions() & others)
        return Error{ErrorCode::PermissionDenied,
                     u"%1 file %2 can be read by other users; chmod 600 it"_s.arg(what, path)};
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Failed, u"%1 file %2: %3"_s.arg(what, path, file.errorString())};
    return file.readLine().trimmed();
}

} // namespace

VaultClient::VaultClient(VaultSettings settings, TokenSource keychainToken)
    : m_settings(std::move(settings))
    , m_keychainToken(std::move(keychainToken))
{
    while (m_settings.address.endsWith(u'/'))
        m_settings.address.chop(1);
}

VaultClient::~VaultClient()
{
    m_token.fill('\0');
}

QString VaultClient::authMethod() const
{
    return m_settings.usesAppRole() ? u"approle"_s : u"token"_s;
}

Result<VaultClient::Reply> VaultClient::send(const QByteArray &method, const QString &path,
                                             const QJsonObject &body, const QUrlQuery &query,
                                             bool withToken)
{
    if (m_settings.address.isEmpty())
        return Error{ErrorCode::InvalidInput,
                     u"no Vault address: set VAULT_ADDR (e.g. https://vault.lan:8200)"_s};
    if (!m_network)
        m_network = std::make_unique<QNetworkAccessManager>();
    QUrl url(m_settings.address + u"/v1/"_s + path);
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setRawHeader("Content-Type", "application/json");
    request.setRawHeader("X-Vault-Request", "true");
    if (withToken)
        request.setRawHeader("X-Vault-Token", m_token);
    if (!m_settings.vaultNamespace.isEmpty())
        request.setRawHeader("X-Vault-Namespace", m_settings.vaultNamespace.toUtf8());
    request.setTransferTimeout(m_settings.timeoutMs);
    if (!m_settings.caFile.isEmpty()) {
        const QList<QSslCertificate> ca = QSslCertificate::fromPath(m_settings.caFile);
        if (ca.isEmpty())
            return Error{ErrorCode::InvalidInput,
                         u"VAULT_CACERT %1 holds no PEM certificate"_s.arg(m_settings.caFile)};
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(ca);
        request.setSslConfiguration(tls);
    }
    auto answer = blockingHttp(*m_network, request, method,
                               body.isEmpty() ? QByteArray()
                                              : QJsonDocument(body).toJson(QJsonDocument::Compact),
                               u"Vault at %1"_s.arg(m_settings.address));
    if (!answer)
        return answer.error();
    return Reply{answer->status, QJsonDocument::fromJson(answer->body).object()};
}

Error VaultClient::errorFor(const QString &path, const Reply &reply) const
{
    QStringList said;
    for (const QJsonValue &e : reply.body.value(u"errors"_s).toArray())
        said.append(e.toString().simplified());
    const QString detail = said.isEmpty() ? QString() : u": "_s + said.join(u"; "_s);
    const QString where = u"Vault %1, %2"_s.arg(m_settings.address, path);
    switch (reply.status) {
    case 503:
        return {ErrorCode::Unreachable,
                u"%1: Vault is sealed or unavailable (HTTP 503); unseal it and retry"_s.arg(where)};
    case 403:
        return {
            ErrorCode::PermissionDenied,
            u"%1: permission denied (HTTP 403): the %2 has no policy for this, or it expired"_s.arg(
                where, m_settings.usesAppRole() ? u"AppRole token"_s : u"token"_s)};
    case 404:
        return {ErrorCode::NotFound, u"%1: not found (HTTP 404)"_s.arg(where)};
    case 400:
        if (detail.contains(u"check-and-set"_s))
            return {ErrorCode::Conflict,
                    u"%1: changed by someone else since it was read (check-and-set mismatch)"_s.arg(
                        where)};
        return {ErrorCode::InvalidInput, u"%1: refused (HTTP 400)%2"_s.arg(where, detail)};
    default:
        return {ErrorCode::Failed, u"%1: HTTP %2%3"_s.arg(where).arg(reply.status).arg(detail)};
    }
}

void VaultClient::takeLease(const QJsonObject &auth)
{
    m_token = auth.value(u"client_token"_s).toString().toUtf8();
    const bool renewable = auth.value(u"renewable"_s).toBool();
    m_leaseMs = renewable ? qint64(auth.value(u"lease_duration"_s).toDouble() * 1000) : 0;
    m_leaseStart.start();
}

Result<void> VaultClient::login()
{
    QByteArray secretId = qgetenv("VAULT_SECRET_ID");
    if (secretId.isEmpty() && !m_settings.secretIdFile.isEmpty()) {
        auto read = readPrivateFile(m_settings.secretIdFile, u"AppRole secret ID"_s);
        if (!read)
            return read.error();
        secretId = *read;
    }
    if (secretId.isEmpty())
        return Error{ErrorCode::InvalidInput,
                     u"AppRole %1 needs a secret ID: set VAULT_SECRET_ID or "
                     "PORTOSER_VAULT_SECRET_ID_FILE (a 0600 file)"_s.arg(m_settings.roleId)};
    const QJsonObject credentials{{u"role_id"_s, m_settings.roleId},
                                  {u"secret_id"_s, QString::fromUtf8(secretId)}};
    secretId.fill('\0');
    auto reply = send("POST", u"auth/approle/login"_s, credentials, {}, false);
    if (!reply)
        return reply.error();
    if (reply->status != 200) {
        Error e = errorFor(u"auth/approle/login"_s, *reply);
        if (reply->status == 400)
            e.message =
                u"Vault %1: AppRole login refused for role %2 (wrong role or secret ID)"_s.arg(
                    m_settings.address, m_settings.roleId);
        return e;
    }
    takeLease(reply->body.value(u"auth"_s).toObject());
    ++m_logins;
    return {};
}

Result<void> VaultClient::renew()
{
    auto reply = send("POST", u"auth/token/renew-self"_s, {}, {}, true);
    if (!reply)
        return reply.error();
    if (reply->status != 200)
        return errorFor(u"auth/token/renew-self"_s, *reply);
    const QJsonObject auth = reply->body.value(u"auth"_s).toObject();
    const qint64 granted = qint64(auth.value(u"lease_duration"_s).toDouble() * 1000);
    // Capped by the token's max TTL: renewing cannot help any more, log in afresh instead.
    if (granted < m_leaseMs / 3)
        return Error{ErrorCode::Failed, u"token near its max TTL"_s};
    takeLease(auth);
    ++m_renewals;
    return {};
}

Result<void> VaultClient::ensureToken()
{
    if (m_token.isEmpty()) {
        if (m_settings.usesAppRole())
            return login();
        m_token = qgetenv("VAULT_TOKEN");
        if (m_token.isEmpty() && !m_settings.tokenFile.isEmpty()) {
            auto read = readPrivateFile(m_settings.tokenFile, u"Vault token"_s);
            if (!read)
                return read.error();
            m_token = *read;
        }
        if (m_token.isEmpty() && m_keychainToken) {
            auto kept = m_keychainToken();
            if (kept)
                m_token = *kept;
        }
        if (m_token.isEmpty())
            return Error{ErrorCode::InvalidInput,
                         u"no Vault token: set VAULT_TOKEN, PORTOSER_VAULT_TOKEN_FILE (a 0600 "
                         "file), store one with `secrets vault-login`, or use AppRole "
                         "(VAULT_ROLE_ID)"_s};
        return {};
    }
    if (m_settings.usesAppRole() && m_leaseMs > 0 && m_leaseStart.elapsed() > m_leaseMs * 2 / 3) {
        if (!renew())
            return login();
    }
    return {};
}

Result<VaultClient::Reply> VaultClient::call(const QByteArray &method, const QString &path,
                                             const QJsonObject &body, const QUrlQuery &query)
{
    if (auto token = ensureToken(); !token)
        return token.error();
    auto reply = send(method, path, body, query, true);
    if (reply && reply->status == 403 && m_settings.usesAppRole()) {
        // The token may have outlived its max TTL between our check and Vault's: log in again.
        if (auto again = login(); !again)
            return again.error();
        reply = send(method, path, body, query, true);
    }
    if (!reply)
        return reply.error();
    if (reply->status >= 400 && reply->status != 404)
        return errorFor(path, *reply);
    return reply;
}

Result<QJsonObject> VaultClient::health()
{
    auto reply = send("GET", u"sys/health"_s, {}, {}, false);
    if (!reply)
        return reply.error();
    if (reply->body.isEmpty())
        return errorFor(u"sys/health"_s, *reply);
    return reply->body;
}

Result<QJsonObject> VaultClient::lookupSelf()
{
    auto reply = call("GET", u"auth/token/lookup-self"_s);
    if (!reply)
        return reply.error();
    if (reply->status != 200)
        return errorFor(u"auth/token/lookup-self"_s, *reply);
    return reply->body.value(u"data"_s).toObject();
}

} // namespace Portoser
