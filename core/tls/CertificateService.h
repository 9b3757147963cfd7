// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/registry/Registry.h"
#include "core/tls/CertificateAuthority.h"

#include <QStringList>

namespace Portoser {

class HostPool;
class SecretsService;

/**
 * The internal CA's work for a registry: issuing a service's certificates, keeping the CA key in
 * the secrets store, adding the CA to a host's trust store and installing a service's
 * certificates on its host.
 */
class CertificateService
{
public:
    CertificateService(HostPool &pool, SecretsService &secrets);

    /** The internal CA, its key reachable where it is kept (ca.key, or the secrets store). */
    CertificateAuthority authority();
    /** Issues `service`'s certificate: a server certificate naming its hostname, its name, its
     *  host's name and address; or a client one (mTLS). `days` 0: the default lifetime. */
    Result<CertificateInfo> issue(const Registry &registry, const QString &service, bool client,
                                  KeyType keyType, int days);
    /** Moves the CA key from ca.key into the default secrets backend (`portoser/ca#key`), read
     *  back before the file goes; the reference it is kept under. */
    Result<QString> keepKeyInSecrets();
    /** Adds the internal CA to `host`'s system trust store: where it went there. */
    Result<QString> trust(const Registry &registry, const QString &host);
    /** Copies the certificates issued for `service` (and the CA) to its host's
     *  `<service dir>/tls/` (keys 0600); the paths written there. */
    Result<QStringList> install(const Registry &registry, const QString &service);

private:
    HostPool &m_pool;
    SecretsService &m_secrets;
};

} // namespace Portoser
