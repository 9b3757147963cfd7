// SPDX-License-Identifier: Apache-2.0
#include "server/OidcVerifier.h"

#include "core/crypto/JwtSignature.h"

#include <QDateTime>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 RefreshIntervalMs =
    5000; // an unknown key id costs the issuer two requests at most this often

QByteArray base64Url(const QByteArray &part)
{
    return QByteArray::fromBase64(part,
                                  QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Error denied(const QString &why)
{
    return Error{ErrorCode::PermissionDenied, u"invalid token: "_s + why};
}

/** The value at a dotted path ("realm_access.roles") as a list of strings. */
QStringList claimList(const QJsonObject &claims, const QString &path)
{
    QJsonValue v = claims;
    for (const QString &part : path.split(u'.'))
        v = v.toObject().value(part);
    QStringList out;
    if (v.isString())
        out.append(v.toString());
    for (const QJsonValue &item : v.toArray())
        out.append(item.toString());
    return out;
}

} // namespace

std::optional<QString> OidcSettings::problem() const
{
    if (!enabled())
        return std::nullopt;
    if (audience.isEmpty() && authorizedParty.isEmpty() && desktopClient.isEmpty())
        return u"OIDC needs --oidc-audience (the `aud` your tokens carry) or, for issuers that "
               "leave `aud` out such as Keycloak without an audience mapper, --oidc-client or "
               "--oidc-desktop-client (the `azp`)"_s;
    if (roleGroups.isEmpty())
        return u"OIDC needs at least one of --oidc-viewer, --oidc-operator, --oidc-admin GROUP: "
               "without a mapping no token would get a role"_s;
    return std::nullopt;
}

OidcVerifier::OidcVerifier(OidcSettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_network(new QNetworkAccessManager(this))
{}

OidcVerifier::~OidcVerifier() = default;

void OidcVerifier::fetchKeys(std::function<void(const Result<void> &)> done)
{
    QString base = m_settings.issuer;
    while (base.endsWith(u'/'))
        base.chop(1);
    QNetworkRequest discovery(QUrl(base + u"/.well-known/openid-configuration"_s));
    discovery.setTransferTimeout(10000);
    QNetworkReply *reply = m_network->get(discovery);
    connect(reply, &QNetworkReply::finished, this, [this, reply, done] {
        reply->deleteLater();
        const QJsonObject doc = QJsonDocument::fromJson(reply->readAll()).object();
        const QString jwksUri = doc.value(u"jwks_uri"_s).toString();
        if (reply->error() != QNetworkReply::NoError || jwksUri.isEmpty())
            return done(
                Error{ErrorCode::Unreachable, u"OIDC issuer %1: no discovery document (%2)"_s.arg(
                                                  m_settings.issuer, reply->errorString())});
        if (doc.value(u"issuer"_s).toString() != m_settings.issuer)
            return done(Error{ErrorCode::InvalidInput,
                              u"OIDC issuer %1 calls itself %2 in its discovery document"_s.arg(
                                  m_settings.issuer, doc.value(u"issuer"_s).toString())});
        QNetworkRequest jwks{QUrl(jwksUri)};
        jwks.setTransferTimeout(10000);
        QNetworkReply *keys = m_network->get(jwks);
        connect(keys, &QNetworkReply::finished, this, [this, keys, done, jwksUri] {
            keys->deleteLater();
            const QJsonArray list =
                QJsonDocument::fromJson(keys->readAll()).object().value(u"keys"_s).toArray();
            if (keys->error() != QNetworkReply::NoError)
                return done(Error{ErrorCode::Unreachable,
                                  u"OIDC keys %1: %2"_s.arg(jwksUri, keys->errorString())});
            QMap<QString, QJsonObject> byKid;
            for (const QJsonValue &k : list)
                byKid.insert(k.toObject().value(u"kid"_s).toString(), k.toObject());
            m_keys = byKid;
            m_lastFetch.start();
            done({});
        });
    });
}

Result<void> OidcVerifier::loadKeys()
{
    QEventLoop loop;
    Result<void> result = Error{ErrorCode::Timeout, u"OIDC issuer did not answer"_s};
    fetchKeys([&](const Result<void> &r) {
        result = r;
        loop.quit();
    });
    QTimer::singleShot(25000, &loop, &QEventLoop::quit);
    loop.exec();
    return result;
}

void OidcVerifier::refreshKeys(std::function<void()> done)
{
    if (m_lastFetch.isValid() && m_lastFetch.elapsed() < RefreshIntervalMs) {
        done();
        return;
    }
    m_waiting.append(std::move(done));
    if (m_waiting.size() > 1)
        return; // a fetch is on its way
    fetchKeys([this](const Result<void> &r) {
        if (!r)
            qWarning("portoser --serve: %s", qUtf8Printable(r.error().message));
        m_lastFetch.start(); // failed or not: not again for a while
        const auto waiting = std::exchange(m_waiting, {});
        for (const auto &fn : waiting)
            fn();
    });
}

Result<Principal> OidcVerifier::verify(const QByteArray &jwt) const
{
    const QList<QByteArray> parts = jwt.split('.');
    if (parts.size() != 3)
        return denied(u"not a signed JWT (three dot-separated parts)"_s);
    const QJsonObject header = QJsonDocument::fromJson(base64Url(parts.at(0))).object();
    const QJsonObject claims = QJsonDocument::fromJson(base64Url(parts.at(1))).object();
    if (header.isEmpty() || claims.isEmpty())
        return denied(u"malformed header or claims"_s);
    const QString alg = header.value(u"alg"_s).toString();
    if (alg != u"RS256" && alg != u"ES256")
        return denied(u"algorithm '%1' is not accepted (RS256 or ES256)"_s.arg(alg));
    const QString kid = header.value(u"kid"_s).toString();
    QJsonObject key = m_keys.value(kid);
    if (key.isEmpty() && kid.isEmpty() && m_keys.size() == 1)
        key = m_keys.first();
    if (key.isEmpty())
        return Error{ErrorCode::NotFound, u"invalid token: unknown key id '%1'"_s.arg(kid)};
    if (const auto bad =
            JwtSignature::verify(alg, key, parts.at(0) + '.' + parts.at(1), base64Url(parts.at(2))))
        return denied(*bad);

    if (claims.value(u"iss"_s).toString() != m_settings.issuer)
        return denied(
            u"issuer '%1' is not %2"_s.arg(claims.value(u"iss"_s).toString(), m_settings.issuer));
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (!claims.value(u"exp"_s).isDouble())
        return denied(u"no expiry (exp)"_s);
    if (qint64(claims.value(u"exp"_s).toDouble()) + m_settings.leewaySeconds < now)
        return denied(u"expired"_s);
    if (claims.contains(u"nbf"_s)
        && qint64(claims.value(u"nbf"_s).toDouble()) - m_settings.leewaySeconds > now)
        return denied(u"not valid yet (nbf)"_s);
    const QStringList audiences = claimList(claims, u"aud"_s);
    // With an audience configured the token must be for it; `azp` (the client it was issued
    // to) stands in only where the issuer leaves `aud` out and no audience is configured.
    const bool audienceOk =
        !m_settings.audience.isEmpty() && audiences.contains(m_settings.audience);
    if (!m_settings.audience.isEmpty() && !audienceOk)
        return denied(u"audience %1 is not for this coordinator"_s.arg(
            audiences.isEmpty() ? u"(none)"_s : audiences.join(u", "_s)));
    if (claims.value(u"typ"_s).toString().compare(u"ID"_s, Qt::CaseInsensitive) == 0)
        return denied(u"an ID token is not an access token"_s);
    // The desktop window's own public client is this coordinator's too, when one is named.
    const QString party = claims.value(u"azp"_s).toString();
    const bool partyOk =
        (!m_settings.authorizedParty.isEmpty() && party == m_settings.authorizedParty)
        || (!m_settings.desktopClient.isEmpty() && party == m_settings.desktopClient);
    if (!audienceOk && !partyOk)
        return denied(u"audience %1 is not for this coordinator"_s.arg(
            audiences.isEmpty() ? u"(none)"_s : audiences.join(u", "_s)));

    const QStringList groups = claimList(claims, m_settings.rolesClaim);
    std::optional<Role> role;
    for (auto it = m_settings.roleGroups.begin(); it != m_settings.roleGroups.end(); ++it) {
        for (const QString &g : it.value()) {
            if (groups.contains(g) && (!role || int(it.key()) > int(*role)))
                role = it.key();
        }
    }
    QString name = claims.value(u"preferred_username"_s).toString();
    if (name.isEmpty())
        name = claims.value(u"sub"_s).toString();
    if (!role)
        return denied(
            u"%1: none of the groups in '%2' maps to a role"_s.arg(name, m_settings.rolesClaim));
    return Principal{u"oidc:"_s + name, *role, u"oidc"_s, {}};
}

} // namespace Portoser
