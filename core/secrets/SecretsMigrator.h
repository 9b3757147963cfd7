// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Service.h"
#include "core/secrets/SecretsBackend.h"

#include <functional>

namespace Portoser {

/** What migrating one service's `.env` did (or, on a dry run, would do). */
struct MigrationStep
{
    QString service;
    QString source;         // "<host>:<env_file>"
    QString path;           // where its keys go in the store
    QStringList keys;       // every key of the file
    QStringList written;    // keys that were new or had another value in the store
    QStringList referenced; // VARs given a `secrets:` reference in the registry
    bool originalRemoved = false;
    QString skipped; // why nothing was done (no env_file), else empty
    QString error;

    QJsonObject toJson() const;
};

/**
 * `migrate-all`: each service's `.env` (its `env_file`, read on its host) goes into the secrets
 * store under `services/<service>`, the registry gets `secrets:` references for its keys (and
 * loses the `env_file` line), and the original file stays unless asked to remove it. Only keys
 * whose value differs are written, so a second run changes nothing.
 */
class SecretsMigrator
{
public:
    using ReadFile = std::function<Result<QByteArray>(const Service &)>;
    using RemoveFile = std::function<Result<void>(const Service &)>;

    struct Options
    {
        bool dryRun = false;
        bool removeOriginals = false;
        QString referencePrefix; // "vault:" when the store is not the default backend
    };

    SecretsMigrator(SecretsBackend &backend, ReadFile read, RemoveFile remove);

    static QString defaultPath(const QString &service)
    {
        return QStringLiteral("services/") + service;
    }
    /** The service's env file: its own `env_file`, else its service.yml's. */
    static QString envFileOf(const Service &service);

    MigrationStep migrate(const Service &service, const Options &options);

private:
    SecretsBackend &m_backend;
    ReadFile m_read;
    RemoveFile m_remove;
};

} // namespace Portoser
