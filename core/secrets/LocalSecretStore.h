// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/secrets/SecretsBackend.h"

#include <QJsonObject>

#include <functional>
#include <memory>

namespace Portoser {

/**
 * The embedded secrets store: one file (`~/.portoser/secrets.enc` by default), AES-256-GCM with a
 * fresh random nonce on every write, the key derived from a passphrase with scrypt, and an
 * authenticated header (format version, KDF parameters, nonce). Writes are atomic (temp, fsync,
 * rename, mode 0600) and keep the previous file as `.bak`; every change re-reads the file under a
 * lock file first, so concurrent writers lose nothing. A wrong key or an altered file is an
 * error, never an empty store. Each key keeps its last `KeepVersions` values.
 */
class LocalSecretStore final : public SecretsBackend
{
public:
    static constexpr int KeepVersions = 10;

    /** `~/.portoser/secrets.enc`, or $PORTOSER_SECRETS_FILE. */
    static QString defaultPath();
    /**
     * The passphrase for headless use: $PORTOSER_SECRETS_PASSPHRASE, else the first line of
     * $PORTOSER_SECRETS_KEY_FILE or `~/.portoser/secrets.key`, which must not be readable by
     * group or others.
     */
    static Result<QByteArray> passphraseFromEnvironment();
    /** Opens the store at `path` (a missing file is an empty store, created on first write). */
    static Result<std::unique_ptr<LocalSecretStore>> open(const QString &path,
                                                          const QByteArray &passphrase);
    ~LocalSecretStore();
    Q_DISABLE_COPY_MOVE(LocalSecretStore)

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

    QString path() const { return m_path; }

private:
    LocalSecretStore(QString path, QByteArray passphrase);
    Result<void> load();
    /** Re-reads the file when another process replaced it since it was read. */
    Result<void> refresh();
    QStringList currentKeys(const QString &path) const;
    QList<SecretVersion> history(const QString &path, const QString &key) const;
    Result<void> save();
    /** Re-reads the file under the store's lock, applies `change`, writes it back. */
    Result<void> update(const std::function<Result<void>()> &change);

    Result<QByteArray> keyFor(const QByteArray &salt);

    QString m_path;
    QByteArray m_passphrase;
    QByteArray m_salt, m_key; // the derived key of the file's salt: scrypt once per store
    QByteArray m_fileStamp;   // inode, size and mtime of the file as last read
    QJsonObject m_data;       // {"paths": {path: {key: [{v, value, at, deleted}]}}}
};

} // namespace Portoser
