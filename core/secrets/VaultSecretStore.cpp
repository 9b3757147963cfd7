// SPDX-License-Identifier: Apache-2.0
#include "core/secrets/VaultSecretStore.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QThread>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

VaultSecretStore::VaultSecretStore(VaultSettings settings, VaultClient::TokenSource keychainToken)
    : m_client(std::move(settings), std::move(keychainToken))
{}

QString VaultSecretStore::kind() const
{
    return u"vault"_s;
}

QString VaultSecretStore::location() const
{
    const VaultSettings &s = m_client.settings();
    return u"%1 (KV v2 mount %2/%3%4)"_s.arg(
        s.address, s.mount, s.prefix,
        s.vaultNamespace.isEmpty() ? QString() : u", namespace "_s + s.vaultNamespace);
}

QString VaultSecretStore::api(const QString &operation, const QString &path) const
{
    const VaultSettings &s = m_client.settings();
    QString full = s.prefix + path;
    while (full.endsWith(u'/'))
        full.chop(1);
    return s.mount + u'/' + operation + (full.isEmpty() ? QString() : u'/' + full);
}

QJsonObject VaultSecretStore::status()
{
    const VaultSettings &s = m_client.settings();
    QJsonObject out{{u"backend"_s, kind()},
                    {u"address"_s, s.address},
                    {u"mount"_s, s.mount},
                    {u"prefix"_s, s.prefix},
                    {u"namespace"_s, s.vaultNamespace},
                    {u"auth"_s, m_client.authMethod()}};
    auto health = m_client.health();
    out.insert(u"reachable"_s, health.ok());
    if (!health) {
        out.insert(u"error"_s, health.error().message);
        return out;
    }
    out.insert(u"sealed"_s, health->value(u"sealed"_s).toBool());
    out.insert(u"version"_s, health->value(u"version"_s));
    auto self = m_client.lookupSelf();
    out.insert(u"unlocked"_s, self.ok());
    if (self) {
        out.insert(u"token_ttl"_s, self->value(u"ttl"_s));
        out.insert(u"policies"_s, self->value(u"policies"_s));
    } else {
        out.insert(u"error"_s, self.error().message);
    }
    return out;
}

Result<VaultSecretStore::Snapshot> VaultSecretStore::read(const QString &path, int version)
{
    QUrlQuery query;
    if (version > 0)
        query.addQueryItem(u"version"_s, QString::number(version));
    auto reply = m_client.call("GET", api(u"data"_s, path), {}, query);
    if (!reply)
        return reply.error();
    const QJsonObject data = reply->body.value(u"data"_s).toObject();
    const QJsonObject meta = data.value(u"metadata"_s).toObject();
    Snapshot snap;
    snap.version = meta.value(u"version"_s).toInt();
    snap.data = data.value(u"data"_s).toObject();
    // Vault answers 404 for a deleted or destroyed version, with its metadata still attached.
    snap.deleted = reply->status == 404 && snap.version > 0;
    return snap;
}

Result<void> VaultSecretStore::collect(const QString &folder, QStringList &out)
{
    QUrlQuery list;
    list.addQueryItem(u"list"_s, u"true"_s);
    auto reply = m_client.call("GET", api(u"metadata"_s, folder), {}, list);
    if (!reply)
        return reply.error();
    if (reply->status == 404)
        return {};
    for (const QJsonValue &k : reply->body.value(u"data"_s).toObject().value(u"keys"_s).toArray()) {
        const QString name = folder + k.toString();
        if (name.endsWith(u'/')) {
            if (auto deeper = collect(name, out); !deeper)
                return deeper;
        } else {
            out.append(name);
        }
    }
    return {};
}

Result<QStringList> VaultSecretStore::paths(const QString &prefix)
{
    // Start listing at the folder the prefix is in; Vault lists one level at a time.
    const QString folder = prefix.left(prefix.lastIndexOf(u'/') + 1);
    QStringList all;
    if (auto listed = collect(folder, all); !listed)
        return listed.error();
    QStringList out;
    for (const QString &p : std::as_const(all)) {
        if (p.startsWith(prefix))
            out.append(p);
    }
    out.sort();
    return out;
}

Result<QStringList> VaultSecretStore::keys(const QString &path)
{
    auto snap = read(path);
    if (!snap)
        return snap.error();
    QStringList out = snap->data.keys();
    out.sort();
    return out;
}

Result<QString> VaultSecretStore::get(const QString &path, const QString &key, int version)
{
    auto snap = read(path, version);
    if (!snap)
        return snap.error();
    if (!snap->data.contains(key))
        return Error{ErrorCode::NotFound,
                     version ? u"no version %1 of %2#%3 in Vault"_s.arg(version).arg(path, key)
                             : u"no secret %1#%2 in Vault"_s.arg(path, key)};
    return snap->data.value(key).toString();
}

Result<QList<SecretVersion>> VaultSecretStore::versions(const QString &path, const QString &key)
{
    auto reply = m_client.call("GET", api(u"metadata"_s, path));
    if (!reply)
        return reply.error();
    const QJsonObject all = reply->body.value(u"data"_s).toObject().value(u"versions"_s).toObject();
    QList<int> numbers;
    for (auto it = all.begin(); it != all.end(); ++it)
        numbers.append(it.key().toInt());
    std::sort(numbers.begin(), numbers.end());
    // The key's own history: a version counts when it changed the key's value or presence.
    QList<SecretVersion> out;
    std::optional<QString> last;
    for (int n : std::as_const(numbers)) {
        const QJsonObject meta = all.value(QString::number(n)).toObject();
        const QDateTime at =
            QDateTime::fromString(meta.value(u"created_time"_s).toString(), Qt::ISODateWithMs);
        std::optional<QString> now;
        const bool gone = meta.value(u"destroyed"_s).toBool()
                          || !meta.value(u"deletion_time"_s).toString().isEmpty();
        if (!gone) {
            auto snap = read(path, n);
            if (!snap)
                return snap.error();
            if (snap->data.contains(key))
                now = snap->data.value(key).toString();
        }
        if (now && now != last)
            out.append({n, *now, at, false});
        else if (!now && last)
            out.append({n, {}, at, true});
        last = now;
    }
    if (out.isEmpty())
        return Error{ErrorCode::NotFound, u"no secret %1#%2 in Vault"_s.arg(path, key)};
    return out;
}

Result<int> VaultSecretStore::modify(const QString &path,
                                     const std::function<Result<void>(QJsonObject &)> &change)
{
    constexpr int Attempts = 10;
    for (int attempt = 1;; ++attempt) {
        auto snap = read(path);
        if (!snap)
            return snap.error();
        QJsonObject data = snap->deleted ? QJsonObject() : snap->data;
        if (auto changed = change(data); !changed)
            return changed.error();
        const QJsonObject body{{u"options"_s, QJsonObject{{u"cas"_s, snap->version}}},
                               {u"data"_s, data}};
        auto written = m_client.call("POST", api(u"data"_s, path), body);
        if (written && written->status == 200)
            return written->body.value(u"data"_s).toObject().value(u"version"_s).toInt();
        if (written || written.error().code != ErrorCode::Conflict || attempt == Attempts)
            return written ? Error{ErrorCode::Failed, u"Vault: unexpected answer to a write"_s}
                           : written.error();
        // Another writer came first: read its version and try again, after a random pause so
        // two writers in step fall out of it.
        QThread::msleep(QRandomGenerator::global()->bounded(5, 40) * attempt);
    }
}

Result<int> VaultSecretStore::put(const QString &path, const QString &key, const QString &value)
{
    return putAll(path, {{key, value}});
}

Result<int> VaultSecretStore::putAll(const QString &path, const QMap<QString, QString> &values)
{
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        if (auto named = checkNames(path, it.key()); !named)
            return named.error();
    }
    return modify(path, [&](QJsonObject &data) -> Result<void> {
        for (auto it = values.cbegin(); it != values.cend(); ++it)
            data.insert(it.key(), it.value());
        return {};
    });
}

Result<void> VaultSecretStore::remove(const QString &path, const QString &key)
{
    auto written = modify(path, [&](QJsonObject &data) -> Result<void> {
        if (!data.contains(key))
            return Error{ErrorCode::NotFound, u"no secret %1#%2 in Vault"_s.arg(path, key)};
        data.remove(key);
        return {};
    });
    if (!written)
        return written.error();
    return {};
}

Result<void> VaultSecretStore::changeVersions(const QString &path, VersionAction action,
                                              const QList<int> &versions)
{
    const QString operation = action == VersionAction::Delete     ? u"delete"_s
                              : action == VersionAction::Undelete ? u"undelete"_s
                                                                  : u"destroy"_s;
    QJsonArray list;
    for (int v : versions)
        list.append(v);
    auto reply = m_client.call("POST", api(operation, path), QJsonObject{{u"versions"_s, list}});
    if (!reply)
        return reply.error();
    if (reply->status == 404)
        return Error{ErrorCode::NotFound, u"no secret %1 in Vault"_s.arg(path)};
    return {};
}

} // namespace Portoser
