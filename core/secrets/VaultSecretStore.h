// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/secrets/SecretsBackend.h"
#include "core/secrets/VaultClient.h"

namespace Portoser {

/**
 * Secrets in HashiCorp Vault's KV version 2 engine. A Portoser path is a Vault secret
 * (`<mount>/data/<prefix><path>`) whose data holds the keys; every change is one Vault version,
 * written with check-and-set on the version just read, so two writers never lose each other's
 * key (a CAS mismatch is retried on fresh data). A key's history is derived from the secret's
 * versions. Vault's own version operations (delete, undelete, destroy) are offered as well.
 */
class VaultSecretStore final : public SecretsBackend
{
public:
    explicit VaultSecretStore(VaultSettings settings, VaultClient::TokenSource keychainToken = {});

    QString kind() const override;
    QString location() const override;
    QJsonObject status() override;
    Result<QStringList> paths(const QString &prefix = {}) override;
    Result<QStringList> keys(const QString &path) override;
    Result<QString> get(const QString &path, const QString &key, int version = 0) override;
    Result<QList<SecretVersion>> versions(const QString &path, const QString &key) override;
    Result<int> put(const QString &path, const QString &key, const QString &value) override;
    Result<int> putAll(const QString &path, const QMap<QString, QString> &values) override;
    Result<void> remove(const QString &path, const QString &key) override;

    enum class VersionAction {
        Delete,
        Undelete,
        Destroy
    };
    /** Vault's soft delete, undelete and permanent destroy of whole versions of `path`. */
    Result<void> changeVersions(const QString &path, VersionAction action,
                                const QList<int> &versions);

    VaultClient &client() { return m_client; }

private:
    struct Snapshot
    {
        int version = 0; // the secret's current version (0: it does not exist)
        QJsonObject data;
        bool deleted = false;
    };
    Result<Snapshot> read(const QString &path, int version = 0);
    /** Read, change the data, write with cas; retried when another writer came first. */
    Result<int> modify(const QString &path,
                       const std::function<Result<void>(QJsonObject &)> &change);
    Result<void> collect(const QString &folder, QStringList &out);
    QString api(const QString &operation, const QString &path) const;

    VaultClient m_client;
};

} // namespace Portoser
