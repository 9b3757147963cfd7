// SPDX-License-Identifier: Apache-2.0
#include "core/secrets/CoordinatorSecretStore.h"

#include "core/net/BlockingHttp.h"
#include "core/net/CoordinatorApi.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QUrlQuery>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

CoordinatorSecretStore::CoordinatorSecretStore(QUrl base, QByteArray credential, QString kind)
    : m_base(std::move(base))
    , m_credential(std::move(credential))
    , m_kind(std::move(kind))
    , m_network(std::make_unique<QNetworkAccessManager>())
{}

CoordinatorSecretStore::~CoordinatorSecretStore() = default;

Result<QJsonObject> CoordinatorSecretStore::call(const QByteArray &method, const QString &route,
                                                 const QJsonObject &body)
{
    QNetworkRequest request(QUrl(m_base.toString(QUrl::StripTrailingSlash) + route));
    request.setTransferTimeout(30000);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy); // the credential stays here
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
    if (!m_credential.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_credential);
    QJsonObject payload = body;
    if (!m_kind.isEmpty() && method != "GET" && method != "DELETE")
        payload.insert(u"backend"_s, m_kind);
    auto answer = blockingHttp(*m_network, request, method,
                               method == "GET" || method == "DELETE"
                                   ? QByteArray()
                                   : QJsonDocument(payload).toJson(QJsonDocument::Compact),
                               m_base.toDisplayString());
    if (!answer)
        return answer.error();
    if (answer->status >= 300)
        return CoordinatorApi::errorOf(answer->status, answer->body);
    return QJsonDocument::fromJson(answer->body).object();
}

namespace {

QString withQuery(const QString &route, const QList<std::pair<QString, QString>> &items)
{
    QUrlQuery query;
    for (const auto &[key, value] : items) {
        if (!value.isEmpty())
            query.addQueryItem(key, QString::fromLatin1(QUrl::toPercentEncoding(value)));
    }
    return query.isEmpty() ? route : route + u'?' + query.toString(QUrl::FullyEncoded);
}

} // namespace

Result<SecretListing> CoordinatorSecretStore::listing(const QString &prefix)
{
    auto json = call(
        "GET", withQuery(u"/api/v1/secrets"_s, {{u"backend"_s, m_kind}, {u"prefix"_s, prefix}}));
    if (!json)
        return json.error();
    return SecretListing::fromJson(*json);
}

QString CoordinatorSecretStore::kind() const
{
    return m_kind.isEmpty() ? u"coordinator"_s : m_kind;
}

QString CoordinatorSecretStore::location() const
{
    return m_base.toDisplayString();
}

QJsonObject CoordinatorSecretStore::status()
{
    auto json = call("GET", withQuery(u"/api/v1/secrets/status"_s, {{u"backend"_s, m_kind}}));
    return json ? *json : QJsonObject{{u"reachable"_s, false}, {u"error"_s, json.error().message}};
}

Result<QStringList> CoordinatorSecretStore::paths(const QString &prefix)
{
    auto listed = listing(prefix);
    if (!listed)
        return listed.error();
    QStringList out;
    for (const SecretEntry &e : listed->secrets) {
        if (!out.contains(e.path))
            out.append(e.path);
    }
    out.sort();
    return out;
}

Result<QStringList> CoordinatorSecretStore::keys(const QString &path)
{
    auto listed = listing(path);
    if (!listed)
        return listed.error();
    QStringList out;
    for (const SecretEntry &e : listed->secrets) {
        if (e.path == path)
            out.append(e.key);
    }
    out.sort();
    return out;
}

Result<QString> CoordinatorSecretStore::get(const QString &path, const QString &key, int version)
{
    QJsonObject body{{u"path"_s, path}, {u"key"_s, key}};
    if (version > 0)
        body.insert(u"version"_s, version);
    auto json = call("POST", u"/api/v1/secrets/reveal"_s, body);
    if (!json)
        return json.error();
    return json->value(u"value"_s).toString();
}

Result<QList<SecretVersion>> CoordinatorSecretStore::versions(const QString &path,
                                                              const QString &key)
{
    auto json =
        call("GET", withQuery(u"/api/v1/secrets/versions"_s,
                              {{u"backend"_s, m_kind}, {u"path"_s, path}, {u"key"_s, key}}));
    if (!json)
        return json.error();
    QList<SecretVersion> out;
    for (const QJsonValue &v : json->value(u"versions"_s).toArray()) {
        const QJsonObject o = v.toObject();
        out.append({o.value(u"version"_s).toInt(), QString(),
                    QDateTime::fromString(o.value(u"at"_s).toString(), Qt::ISODateWithMs),
                    o.value(u"deleted"_s).toBool()});
    }
    return out;
}

Result<int> CoordinatorSecretStore::put(const QString &path, const QString &key,
                                        const QString &value)
{
    if (auto named = checkNames(path, key); !named)
        return named.error();
    auto json = call("PUT", u"/api/v1/secrets"_s,
                     {{u"path"_s, path}, {u"key"_s, key}, {u"value"_s, value}});
    if (!json)
        return json.error();
    return json->value(u"version"_s).toInt();
}

Result<int> CoordinatorSecretStore::putAll(const QString &path,
                                           const QMap<QString, QString> &values)
{
    int version = 0;
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        auto stored = put(path, it.key(), it.value());
        if (!stored)
            return stored.error();
        version = *stored;
    }
    return version;
}

Result<void> CoordinatorSecretStore::remove(const QString &path, const QString &key)
{
    auto json =
        call("DELETE", withQuery(u"/api/v1/secrets"_s,
                                 {{u"backend"_s, m_kind}, {u"path"_s, path}, {u"key"_s, key}}));
    if (!json)
        return json.error();
    return {};
}

} // namespace Portoser
