// SPDX-License-Identifier: Apache-2.0
#include "core/tls/CertificateService.h"

#include "core/deploy/HostPool.h"
#include "core/deploy/RemoteScripts.h"
#include "core/secrets/SecretsService.h"

#include <QCryptographicHash>
#include <QFile>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

CertificateService::CertificateService(HostPool &pool, SecretsService &secrets)
    : m_pool(pool)
    , m_secrets(secrets)
{}

Result<CertificateInfo> CertificateService::issue(const Registry &registry, const QString &service,
                                                  bool client, KeyType keyType, int days)
{
    const Service *s = registry.service(service);
    if (!s)
        return registry.unknownServiceError(service);
    CertificateRequest request;
    if (client)
        request.commonName = s->hostname.isEmpty() ? s->name : s->hostname;
    else
        request = CertificateAuthority::serverRequest(registry, *s);
    request.client = client;
    request.keyType = keyType;
    if (days > 0)
        request.validityDays = days;
    // Kept per registry: another registry's service of the same name has certificates of its own.
    return authority().issue(CertificateAuthority::registryId(registry), s->name, request);
}

Result<QString> CertificateService::keepKeyInSecrets()
{
    auto store = m_secrets.backend();
    if (!store)
        return store.error();
    return authority().moveKeyToStore((*store)->kind() + u":portoser/ca#key"_s);
}

CertificateAuthority CertificateService::authority()
{
    CertificateAuthority ca;
    // The key may live in the secrets store (`certs init-ca --key-in-secrets`), fetched only to
    // sign and never written to disk.
    const auto backendOf =
        [this](const QString &reference) -> Result<std::pair<SecretsBackend *, SecretReference>> {
        const auto ref = SecretReference::parse(reference);
        if (!ref)
            return Error{ErrorCode::InvalidInput,
                         u"%1 is not a secret reference (PATH#KEY)"_s.arg(reference)};
        auto backend = m_secrets.backend(ref->backend);
        if (!backend)
            return backend.error();
        return std::pair{*backend, *ref};
    };
    ca.setKeyStore({[backendOf](const QString &reference, const QByteArray &pem) -> Result<void> {
                        auto at = backendOf(reference);
                        if (!at)
                            return at.error();
                        auto put =
                            at->first->put(at->second.path, at->second.key, QString::fromUtf8(pem));
                        if (!put)
                            return put.error();
                        return {};
                    },
                    [backendOf](const QString &reference) -> Result<QByteArray> {
                        auto at = backendOf(reference);
                        if (!at)
                            return at.error();
                        auto value = at->first->get(at->second.path, at->second.key);
                        if (!value)
                            return value.error();
                        return value->toUtf8();
                    }});
    return ca;
}

Result<QString> CertificateService::trust(const Registry &registry, const QString &hostName)
{
    const Host *host = registry.host(hostName);
    if (!host)
        return Error{ErrorCode::NotFound, u"no host named %1"_s.arg(hostName)};
    const CertificateAuthority ca;
    QFile file(ca.caCertFile());
    if (!file.open(QIODevice::ReadOnly))
        return Error{
            ErrorCode::NotFound,
            u"no internal CA at %1: run `portoser --cli certs init-ca`"_s.arg(file.fileName())};
    const QByteArray pem = file.readAll();
    // Named by the CA's fingerprint: two coordinators' CAs never replace each other's file.
    const QString name = u"portoser-ca-%1.crt"_s.arg(QString::fromLatin1(
        QCryptographicHash::hash(pem, QCryptographicHash::Sha256).toHex().left(12)));
    const QString script = RemoteScripts::trustCa(pem, name);
    auto ran = m_pool.worker(*host).runScript(script, std::chrono::seconds(60));
    if (!ran)
        return ran.error();
    const QString where = RemoteScripts::parseKeyValues(ran->out).value(u"trusted"_s);
    if (ran->exitCode != 0 || where.isEmpty())
        return Error{ran->exitCode == 77 ? ErrorCode::PermissionDenied : ErrorCode::Failed,
                     u"%1: the CA could not be added to the trust store: %2"_s.arg(
                         host->name, QString::fromUtf8(ran->err).trimmed())};
    return where;
}

Result<QStringList> CertificateService::install(const Registry &registry, const QString &service)
{
    const Service *s = registry.service(service);
    const Host *host = s ? registry.host(s->currentHost) : nullptr;
    if (!host)
        return Error{ErrorCode::NotFound, u"no service %1 on a known host"_s.arg(service)};
    const QString dir = CertificateAuthority().serviceDir(registry, *s);
    QList<RemoteScripts::RemoteFile> files;
    for (const QString &name :
         {u"ca.crt"_s, u"server.crt"_s, u"server.key"_s, u"client.crt"_s, u"client.key"_s}) {
        QFile file(dir + u'/' + name);
        if (file.open(QIODevice::ReadOnly))
            files.append({name, file.readAll(), name.endsWith(u".key"_s)});
    }
    if (files.size() < 2)
        return Error{
            ErrorCode::NotFound,
            u"nothing issued for %1 yet: run `portoser --cli certs issue %1`"_s.arg(service)};
    const QString script = RemoteScripts::installFiles(*host, service, u"tls"_s, files);
    auto ran = m_pool.worker(*host).runScript(script, std::chrono::seconds(30));
    if (!ran)
        return ran.error();
    if (ran->exitCode != 0)
        return Error{ErrorCode::Failed, u"%1: installing certificates failed: %2"_s.arg(
                                            host->name, QString::fromUtf8(ran->err).trimmed())};
    QStringList paths;
    for (const QByteArray &line : ran->out.split('\n')) {
        if (line.startsWith("installed="))
            paths.append(QString::fromUtf8(line.mid(10)));
    }
    return paths;
}

} // namespace Portoser
