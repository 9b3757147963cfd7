// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMap>
#include <QStringList>

#include <optional>

namespace Portoser {

struct SecretVersion
{
    int version = 0;
    QString value;
    QDateTime at;
    bool deleted = false; // the key was deleted (or its version destroyed) at this version
};

/** How a value compares with what the store holds for its key. */
enum class SecretChange {
    New,
    Changed,
    Same
};

/** A registry reference: `[local:|vault:]PATH#KEY`; `backend` is empty when not named. */
struct SecretReference
{
    QString backend;
    QString path;
    QString key;

    static std::optional<SecretReference> parse(const QString &text);
    QString toString() const;
};

/**
 * Where secrets live: paths (e.g. `services/api`) holding keys with versioned values. The
 * encrypted local store and HashiCorp Vault KV v2 implement it; everything above (deploys, CLI,
 * API, GUI) sees only this.
 */
class SecretsBackend
{
public:
    virtual ~SecretsBackend() = default;

    /** "local" or "vault". */
    virtual QString kind() const = 0;
    /** Where: the file, or the Vault address and mount. */
    virtual QString location() const = 0;
    /** Reachability and state for `backend status` (never a value or a token). */
    virtual QJsonObject status() = 0;

    /** Paths that start with `prefix`, sorted. */
    virtual Result<QStringList> paths(const QString &prefix = {}) = 0;
    /** The keys of `path` that have a current value, sorted (empty when there is none). */
    virtual Result<QStringList> keys(const QString &path) = 0;
    /** The current value (or `version`'s); NotFound when there is none. */
    virtual Result<QString> get(const QString &path, const QString &key, int version = 0) = 0;
    /** The key's history, oldest first; NotFound when it never existed. */
    virtual Result<QList<SecretVersion>> versions(const QString &path, const QString &key) = 0;
    /** Stores a new value; returns its version number. */
    virtual Result<int> put(const QString &path, const QString &key, const QString &value) = 0;
    /** Stores several keys of one path in one change (one Vault version); returns the version. */
    virtual Result<int> putAll(const QString &path, const QMap<QString, QString> &values) = 0;
    virtual Result<void> remove(const QString &path, const QString &key) = 0;
    /** Makes `version`'s value current again (as a new version). */
    Result<int> rollback(const QString &path, const QString &key, int version);
    /** For each key of `values`: new, another value, or the same as stored. */
    Result<QMap<QString, SecretChange>> compare(const QString &path,
                                                const QMap<QString, QString> &values);
    /**
     * Writes, in one change, the keys of `values` that are new or hold another value (what an
     * import or a migration does, so doing it twice changes nothing). Returns those keys; a dry
     * run only finds them.
     */
    Result<QStringList> writeChanged(const QString &path, const QMap<QString, QString> &values,
                                     bool dryRun = false);

protected:
    /** InvalidInput unless `path` and `key` are usable names. */
    static Result<void> checkNames(const QString &path, const QString &key);
};

} // namespace Portoser
