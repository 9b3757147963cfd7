// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/crypto/Pki.h"
#include "core/registry/Registry.h"

#include <QDateTime>
#include <QStringList>

#include <functional>

namespace Portoser {

/** What a certificate says about itself (read back from its PEM file) and where it lives. */
struct CertificateInfo : CertificateFields
{
    QString file;
    /** The registry whose directory holds it (`certs/<registry id>/<service>/`); empty for the
     *  CA and for the old flat layout (`certs/<service>/`). */
    QString registryId;
    QString service; // the service it was issued for (its directory's name); empty for the CA

    int daysLeft(const QDateTime &now = QDateTime::currentDateTimeUtc()) const
    {
        return int(now.secsTo(notAfter) / 86400);
    }
    bool isLegacy() const { return !isCa && registryId.isEmpty(); }
    /** Whether a TLS client asking for `name` accepts these names: a DNS name equal to it (case
     *  does not matter), a wildcard `*.` for its first label, or, for an address, an IP entry. */
    bool covers(const QString &name) const;
};

/** A certificate to issue: server (serverAuth, SANs) or client (clientAuth, for mTLS). */
struct CertificateRequest
{
    QString commonName;
    QStringList dnsNames;
    QStringList ipAddresses;
    bool client = false;
    int validityDays = 397; // what browsers accept for server certificates
    KeyType keyType = KeyType::EcP256;
};

/**
 * The internal CA under `~/.portoser/ca/` (ca.crt, ca.key 0600) and the certificates it issues,
 * kept per registry under `~/.portoser/certs/<registry id>/<service>/` (docs/tls.md: a service
 * of one cluster never picks up the certificate of another cluster's service of the same name;
 * the old flat `certs/<service>/` is read only while it names what the service needs). Keys are
 * made with OpenSSL (EC P-256 by default, RSA 3072/4096 on request); CA certificates are marked
 * CA:TRUE (critical) with keyCertSign, issued ones CA:FALSE with digitalSignature (+keyEncipherment
 * for RSA) and the EKU of their role. Every file is written atomically; private keys are 0600.
 */
class CertificateAuthority
{
public:
    /** `$PORTOSER_HOME` or `~/.portoser`. */
    static QString defaultHome();
    explicit CertificateAuthority(QString home = defaultHome());

    QString home() const { return m_home; }
    QString caDir() const { return m_home + QStringLiteral("/ca"); }
    QString caCertFile() const { return caDir() + QStringLiteral("/ca.crt"); }
    /**
     * The directory name a registry's certificates are kept under: its `domain` (lower case)
     * when it has one, so the file may move and every registry of that domain (e.g. one that
     * includes another) shares them; else `registry-` and 12 hex digits of the SHA-256 of the
     * registry file's real absolute path (symlinks resolved).
     */
    static QString registryId(const Registry &registry);
    /** What `certs issue` names in `service`'s server certificate: its hostname, its name, its
     *  host's name and addresses. */
    static CertificateRequest serverRequest(const Registry &registry, const Service &service);
    QString certsDir(const QString &registryId, const QString &service) const
    {
        return m_home + QStringLiteral("/certs/") + registryId + QLatin1Char('/') + service;
    }
    /** Where certificates were kept before they were kept per registry. */
    QString legacyCertsDir(const QString &service) const
    {
        return m_home + QStringLiteral("/certs/") + service;
    }
    /**
     * Where `service`'s certificates for `registry` are: its own directory once anything was
     * issued there; else the old flat one if its server certificate names everything
     * serverRequest() would name now (so another cluster's `api` is never picked up); else its
     * own directory, still empty.
     */
    QString serviceDir(const Registry &registry, const Service &service) const;
    bool exists() const;
    QString keyFile() const { return caDir() + QStringLiteral("/ca.key"); }
    /** Where the CA key may be kept instead of ca.key: the secrets store, through these. */
    struct KeyStore
    {
        std::function<Result<void>(const QString &reference, const QByteArray &pem)> save;
        std::function<Result<QByteArray>(const QString &reference)> load;
    };
    void setKeyStore(KeyStore store);
    /** The secrets reference (`[local:|vault:]PATH#KEY`) of a key kept in the store (named in
     *  ca/ca.key.ref), or empty when the key is ca.key. */
    QString keyReference() const;
    /** Moves ca.key into the store at `reference` (read back before the file is removed). */
    Result<QString> moveKeyToStore(const QString &reference);

    /** Makes the CA key and self-signed certificate; refuses to replace one unless `replace`. */
    Result<CertificateInfo> init(const QString &commonName, KeyType keyType, int validityDays,
                                 bool replace = false);
    /** Issues `request` for `service` of the registry `registryId`: certs/<registryId>/<service>/
     *  {server,client}.crt, .key (0600) and ca.crt. */
    Result<CertificateInfo> issue(const QString &registryId, const QString &service,
                                  const CertificateRequest &request);
    /** Issues `old` again (same names, usage, key type and lifetime) with a fresh key, in the
     *  directory it is in. */
    Result<CertificateInfo> reissue(const CertificateInfo &old);
    /** The CA and every issued certificate (of every registry, and the old flat layout), read
     *  from their files. */
    Result<QList<CertificateInfo>> list() const;

    static Result<CertificateInfo> inspect(const QString &pemFile);

private:
    Result<QByteArray> caKeyPem() const;
    Result<CertificateInfo> issueInto(const QString &dir, const CertificateRequest &request);

    QString m_home;
    KeyStore m_keyStore;
};

} // namespace Portoser
