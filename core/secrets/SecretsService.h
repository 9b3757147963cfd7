// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/deploy/SecretAccess.h"
#include "core/registry/Registry.h"
#include "core/secrets/SecretsBackend.h"
#include "core/secrets/SecretsMigrator.h"
#include "core/secrets/SecretsSettings.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMap>

#include <functional>
#include <map>
#include <memory>

namespace Portoser {

class HistoryStore;
class HostPool;

/** One key of a backend as a listing shows it: never its value. */
struct SecretEntry
{
    QString path;
    QString key;
    int version = 0;
    QDateTime updatedAt;
    QStringList usedBy; // the registry's services that reference it

    QJsonObject toJson() const;
};

/** Every key under a prefix of one backend (`secrets list`, GET /secrets, the Secrets page). */
struct SecretListing
{
    QString backend;
    QList<SecretEntry> secrets;

    QJsonObject toJson() const;
    /** Read back (what a coordinator's GET /api/v1/secrets answers). */
    static SecretListing fromJson(const QJsonObject &json);
};

/**
 * The secrets a registry's services use: the backends (local store, Vault) opened on first use,
 * each service's values and versions as a deploy reaches them, who uses what, what rotated, and
 * the migration of `.env` files into a backend. One per Orchestrator; not thread-safe.
 */
class SecretsService
{
public:
    SecretsService(SecretsSettings settings, HostPool &pool);
    ~SecretsService();
    Q_DISABLE_COPY_MOVE(SecretsService)

    /** The backend `kind` names ("local" or "vault"; empty: the configured default), opened on
     *  first use: the local store with its key from the environment, a 0600 key file or the OS
     *  keychain; Vault with the settings' address and auth. */
    Result<SecretsBackend *> backend(const QString &kind = {});
    /** The default backend's name ("local" or "vault"). */
    QString defaultKind() const { return m_settings.backend; }

    /** How the deploy engine and the healer reach the services' secrets. */
    SecretAccess access();
    Result<QMap<QString, QString>> values(const Service &service);
    /** VAR -> the version of the secret it names (what a rotation changes). */
    Result<QJsonObject> versions(const Service &service);

    /** The services using each secret of backend `kind`: "path#key" -> service names. */
    QMap<QString, QStringList> users(const Registry &registry, const QString &kind) const;
    /** The keys under `prefix` of backend `kind`, with their last version and who uses them;
     *  fails on the first key the backend cannot read (a listing never hides one). */
    Result<SecretListing> list(const Registry &registry, const QString &kind,
                               const QString &prefix = {});
    /** Services whose secrets changed (rotated) since their last successful deploy. */
    Result<QStringList> changedSinceDeploy(const Registry &registry, HistoryStore &history);
    /** Moves the `.env` of `services` (all with an env_file when empty) into the backend `kind`
     *  (empty: the default), one step per service; the registry file is edited. */
    Result<QList<MigrationStep>> migrate(const Registry &registry, const QStringList &services,
                                         const SecretsMigrator::Options &options,
                                         const QString &kind);

private:
    /** Calls `fn` with each `secrets:` variable of `service`, its backend and its reference;
     *  any failure names the service, the variable and the reference. */
    using SecretFn =
        std::function<Result<void>(const QString &var, SecretsBackend &, const SecretReference &)>;
    Result<void> forEachSecret(const Service &service, const SecretFn &fn);
    Result<std::unique_ptr<SecretsBackend>> open(const QString &kind);

    SecretsSettings m_settings;
    HostPool &m_pool;
    std::map<QString, std::unique_ptr<SecretsBackend>> m_backends;
};

} // namespace Portoser
