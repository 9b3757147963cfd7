// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QDateTime>
#include <QStringList>

#include <functional>

namespace Portoser {

enum class KeyType {
    EcP256,
    Rsa3072,
    Rsa4096
};

/** What a certificate says about itself (read back from its PEM file). */
struct CertificateInfo
{
    QString file;
    QString subject;    // the common name
    QString issuer;     // the issuer's common name
    QStringList names;  // subjectAltName entries: "DNS:x", "IP:1.2.3.4"
    QStringList usages; // extended key usages: "serverAuth", "clientAuth"
    bool isCa = false;
    QDateTime notBefore;
    QDateTime notAfter;
    QString serial; // hex

    int daysLeft(const QDateTime &now = QDateTime::currentDateTimeUtc()) const
    {
        return int(now.secsTo(notAfter) / 86400);
    }
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
 * The internal CA under `~/.portoser/ca/` (ca.crt, ca.key 0600) and the certificates it issues
 * under `~/.portoser/certs/<name>/`. Keys are made with OpenSSL (EC P-256 by default, RSA
 * 3072/4096 on request); CA certificates are marked CA:TRUE (critical) with keyCertSign, issued
 * ones CA:FALSE with digitalSignature (+keyEncipherment for RSA) and the EKU of their role.
 * Every file is written atomically; private keys are 0600.
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
    QString certsDir(const QString &name) const
    {
        return m_home + QStringLiteral("/certs/") + name;
    }
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
    /** Issues `request` for `name`: certs/<name>/{server,client}.crt, .key (0600) and ca.crt. */
    Result<CertificateInfo> issue(const QString &name, const CertificateRequest &request);
    /** Issues `old` again (same names, usage, key type and lifetime) with a fresh key. */
    Result<CertificateInfo> reissue(const CertificateInfo &old);
    /** The CA and every issued certificate, read from their files. */
    Result<QList<CertificateInfo>> list() const;

    static Result<CertificateInfo> inspect(const QString &pemFile);

private:
    Result<QByteArray> caKeyPem() const;

    QString m_home;
    KeyStore m_keyStore;
};

} // namespace Portoser
