// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QStringList>

#include <functional>
#include <memory>

namespace Portoser {

struct SecretVersion
{
    int version = 0;
    QString value;
    QDateTime at;
    bool deleted = false; // a tombstone: the key was deleted at this version
};

/**
 * The embedded secrets store: one file (`~/.portoser/secrets.enc` by default), AES-256-GCM with a
 * fresh random nonce on every write, the key derived from a passphrase with scrypt, and an
 * authenticated header (format version, KDF parameters, nonce). Writes are atomic (temp, fsync,
 * rename, mode 0600) and keep the previous file as `.bak`; every change re-reads the file under a
 * lock file first, so concurrent writers lose nothing. A wrong key or an altered file is an
 * error, never an empty store. Each key keeps its last `KeepVersions` values.
 */
class LocalSecretStore
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

    /** Paths (e.g. "services/api") that start with `prefix`, sorted. */
    QStringList paths(const QString &prefix = {}) const;
    /** The keys of `path` that have a current value, sorted. */
    QStringList keys(const QString &path) const;
    /** The current value (or `version`'s); NotFound when there is none. */
    Result<QString> get(const QString &path, const QString &key, int version = 0) const;
    QList<SecretVersion> versions(const QString &path, const QString &key) const;

    /** Stores a new value; returns its version number. */
    Result<int> put(const QString &path, const QString &key, const QString &value);
    Result<void> remove(const QString &path, const QString &key);
    /** Makes `version`'s value current again (as a new version). */
    Result<int> rollback(const QString &path, const QString &key, int version);

    QString path() const { return m_path; }

private:
    LocalSecretStore(QString path, QByteArray passphrase);
    Result<void> load();
    Result<void> save();
    /** Re-reads the file under the store's lock, applies `change`, writes it back. */
    Result<void> update(const std::function<Result<void>()> &change);

    QString m_path;
    Result<QByteArray> keyFor(const QByteArray &salt);

    QByteArray m_passphrase;
    QByteArray m_salt, m_key; // the derived key of the file's salt: scrypt once per store
    QJsonObject m_data;       // {"paths": {path: {key: [{v, value, at, deleted}]}}}
};

} // namespace Portoser
