// SPDX-License-Identifier: Apache-2.0
#include "core/secrets/SecretsService.h"

#include "core/crypto/SecretCipher.h"
#include "core/deploy/HostPool.h"
#include "core/deploy/RemoteScripts.h"
#include "core/history/HistoryStore.h"
#include "core/secrets/Keychain.h"
#include "core/secrets/LocalSecretStore.h"
#include "core/secrets/VaultSecretStore.h"

#include <QFile>
#include <QJsonArray>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

SecretsService::SecretsService(SecretsSettings settings, HostPool &pool)
    : m_settings(std::move(settings))
    , m_pool(pool)
{}

SecretsService::~SecretsService() = default;

QJsonObject SecretEntry::toJson() const
{
    return {{u"path"_s, path},
            {u"key"_s, key},
            {u"version"_s, version},
            {u"updated_at"_s, updatedAt.toString(Qt::ISODateWithMs)},
            {u"used_by"_s, QJsonArray::fromStringList(usedBy)}};
}

QJsonObject SecretListing::toJson() const
{
    QJsonArray items;
    for (const SecretEntry &e : secrets)
        items.append(e.toJson());
    return {{u"backend"_s, backend}, {u"secrets"_s, items}};
}

SecretListing SecretListing::fromJson(const QJsonObject &json)
{
    SecretListing listing{json.value(u"backend"_s).toString(), {}};
    for (const QJsonValue &v : json.value(u"secrets"_s).toArray()) {
        const QJsonObject o = v.toObject();
        SecretEntry e{o.value(u"path"_s).toString(),
                      o.value(u"key"_s).toString(),
                      o.value(u"version"_s).toInt(),
                      QDateTime::fromString(o.value(u"updated_at"_s).toString(), Qt::ISODateWithMs),
                      {}};
        for (const QJsonValue &user : o.value(u"used_by"_s).toArray())
            e.usedBy.append(user.toString());
        listing.secrets.append(e);
    }
    return listing;
}

Result<SecretListing> SecretsService::list(const Registry &registry, const QString &kind,
                                           const QString &prefix)
{
    auto opened = backend(kind);
    if (!opened)
        return opened.error();
    SecretsBackend &store = **opened;
    auto paths = store.paths(prefix);
    if (!paths)
        return paths.error();
    const auto usedBy = users(registry, store.kind());
    SecretListing listing{store.kind(), {}};
    for (const QString &path : std::as_const(*paths)) {
        auto keys = store.keys(path);
        if (!keys)
            return keys.error();
        for (const QString &key : std::as_const(*keys)) {
            auto history = store.versions(path, key);
            if (!history)
                return history.error();
            listing.secrets.append({path, key, history->last().version, history->last().at,
                                    usedBy.value(path + u'#' + key)});
        }
    }
    return listing;
}

SecretAccess SecretsService::access()
{
    return {[this](const Service &s) { return values(s); },
            [this](const Service &s) { return versions(s); }};
}

Result<void> SecretsService::forEachSecret(const Service &service, const SecretFn &fn)
{
    for (auto it = service.secrets.cbegin(); it != service.secrets.cend(); ++it) {
        const QString where = u"%1: secret %2 (%3)"_s.arg(service.name, it.key(), it.value());
        const auto ref = SecretReference::parse(it.value());
        if (!ref)
            return Error{ErrorCode::InvalidInput, where + u": expected [local:|vault:]PATH#KEY"_s};
        auto backend = this->backend(ref->backend);
        if (!backend)
            return Error{backend.error().code, where + u": "_s + backend.error().message};
        if (auto done = fn(it.key(), **backend, *ref); !done)
            return Error{done.error().code, where + u": "_s + done.error().message};
    }
    return {};
}

Result<QMap<QString, QString>> SecretsService::values(const Service &service)
{
    QMap<QString, QString> values;
    auto done = forEachSecret(service,
                              [&](const QString &var, SecretsBackend &backend,
                                  const SecretReference &ref) -> Result<void> {
                                  auto value = backend.get(ref.path, ref.key);
                                  if (!value)
                                      return value.error();
                                  values.insert(var, *value);
                                  return {};
                              });
    if (!done)
        return done.error();
    return values;
}

Result<QJsonObject> SecretsService::versions(const Service &service)
{
    QJsonObject versions;
    auto done = forEachSecret(service,
                              [&](const QString &var, SecretsBackend &backend,
                                  const SecretReference &ref) -> Result<void> {
                                  auto history = backend.versions(ref.path, ref.key);
                                  if (!history)
                                      return history.error();
                                  versions.insert(
                                      var, history->last().deleted ? 0 : history->last().version);
                                  return {};
                              });
    if (!done)
        return done.error();
    return versions;
}

Result<QList<MigrationStep>> SecretsService::migrate(const Registry &registry,
                                                     const QStringList &services,
                                                     const SecretsMigrator::Options &options,
                                                     const QString &kind)
{
    for (const QString &name : services) {
        if (!registry.service(name))
            return registry.unknownServiceError(name);
    }
    auto opened = this->backend(kind);
    if (!opened)
        return opened.error();
    // Each service's env file, read (or removed) on its host.
    auto onHost = [this, &registry](const Service &s, const QString &program) {
        const Host *host = registry.host(s.currentHost);
        const QString path =
            RemoteScripts::envFilePath(*host, s.name, SecretsMigrator::envFileOf(s), s.workingDir);
        const QString script = program + u" -- "_s + path;
        return m_pool.worker(*host).runScript(script, std::chrono::seconds(30));
    };
    auto read = [&](const Service &s) -> Result<QByteArray> {
        auto ran = onHost(s, u"cat"_s);
        if (!ran)
            return ran.error();
        if (ran->exitCode != 0)
            return Error{ErrorCode::NotFound,
                         u"%1:%2: %3"_s.arg(s.currentHost, SecretsMigrator::envFileOf(s),
                                            QString::fromUtf8(ran->err).trimmed())};
        return ran->out;
    };
    auto remove = [&](const Service &s) -> Result<void> {
        auto ran = onHost(s, u"rm -f"_s);
        if (!ran)
            return ran.error();
        if (ran->exitCode != 0)
            return Error{ErrorCode::Failed, u"%1: cannot remove %2: %3"_s.arg(
                                                s.currentHost, SecretsMigrator::envFileOf(s),
                                                QString::fromUtf8(ran->err).trimmed())};
        return {};
    };
    SecretsMigrator::Options effective = options;
    if (!kind.isEmpty() && kind != m_settings.backend)
        effective.referencePrefix = kind + u':';
    SecretsMigrator migrator(**opened, read, remove);
    QList<MigrationStep> steps;
    for (const Service &s : registry.services) {
        if (!services.isEmpty() && !services.contains(s.name))
            continue;
        if (!registry.host(s.currentHost)) {
            steps.append({s.name,
                          {},
                          {},
                          {},
                          {},
                          {},
                          false,
                          {},
                          u"host %1 is not in the registry"_s.arg(s.currentHost)});
            continue;
        }
        steps.append(migrator.migrate(s, effective));
    }
    return steps;
}

QMap<QString, QStringList> SecretsService::users(const Registry &registry,
                                                 const QString &kind) const
{
    QMap<QString, QStringList> users;
    for (const Service &s : registry.services) {
        for (const QString &text : s.secrets) {
            const auto ref = SecretReference::parse(text);
            if (ref && (ref->backend.isEmpty() ? m_settings.backend : ref->backend) == kind)
                users[ref->path + u'#' + ref->key].append(s.name);
        }
    }
    return users;
}

Result<QStringList> SecretsService::changedSinceDeploy(const Registry &registry,
                                                       HistoryStore &history)
{
    QStringList changed;
    for (const Service &s : registry.services) {
        if (s.secrets.isEmpty())
            continue;
        auto last = history.lastSucceeded(s.name);
        if (!last)
            return last.error();
        if (!last->has_value())
            continue; // never deployed: a deploy, not a rotation, brings it up
        auto now = versions(s);
        if (!now)
            return now.error();
        const QJsonObject before = (**last).config.value(u"secret_versions"_s).toObject();
        if (before != *now)
            changed.append(s.name);
    }
    return changed;
}

Result<SecretsBackend *> SecretsService::backend(const QString &kind)
{
    const QString which = kind.isEmpty() ? m_settings.backend : kind;
    auto found = m_backends.find(which);
    if (found == m_backends.end()) {
        auto opened = open(which);
        if (!opened)
            return opened.error();
        found = m_backends.emplace(which, std::move(*opened)).first;
    }
    return found->second.get();
}

Result<std::unique_ptr<SecretsBackend>> SecretsService::open(const QString &kind)
{
    if (kind == u"vault") {
        if (m_settings.vault.address.isEmpty())
            return Error{ErrorCode::InvalidInput,
                         u"the Vault backend needs VAULT_ADDR (e.g. https://vault.lan:8200)"_s};
        auto keychainToken = [] { return Keychain::read(QLatin1StringView(Keychain::VaultToken)); };
        return std::unique_ptr<SecretsBackend>(
            std::make_unique<VaultSecretStore>(m_settings.vault, keychainToken));
    }
    if (kind != u"local")
        return Error{
            ErrorCode::InvalidInput,
            u"unknown secrets backend '%1' (PORTOSER_SECRETS_BACKEND: local or vault)"_s.arg(kind)};
    const QString file = m_settings.localFile;
    auto passphrase = LocalSecretStore::passphraseFromEnvironment();
    if (!passphrase) {
        // No headless passphrase: the OS keychain keeps a random key for this user's store.
        auto kept = Keychain::read(QLatin1StringView(Keychain::LocalStoreKey));
        if (kept) {
            passphrase = *kept;
        } else if (kept.error().code == ErrorCode::NotFound && !QFile::exists(file)) {
            const QByteArray fresh = SecretCipher::randomBytes(32).toBase64();
            if (auto saved = Keychain::write(QLatin1StringView(Keychain::LocalStoreKey), fresh);
                !saved)
                return passphrase.error();
            passphrase = fresh;
        } else {
            return Error{passphrase.error().code, passphrase.error().message
                                                      + u"; the OS keychain: "_s
                                                      + kept.error().message};
        }
    }
    auto opened = LocalSecretStore::open(file, *passphrase);
    if (!opened)
        return opened.error();
    return std::unique_ptr<SecretsBackend>(std::move(*opened));
}

} // namespace Portoser
