// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QStringList>

namespace Portoser {

enum class KeyType {
    EcP256,
    Rsa3072,
    Rsa4096
};

/** What a certificate says about itself. */
struct CertificateFields
{
    QString subject;    // the common name
    QString issuer;     // the issuer's common name
    QStringList names;  // subjectAltName entries: "DNS:x", "IP:1.2.3.4"
    QStringList usages; // extended key usages: "serverAuth", "clientAuth"
    bool isCa = false;
    QDateTime notBefore;
    QDateTime notAfter;
    QString serial; // hex
};

/**
 * Keys and X.509 certificates as PEM text. The policy (which names, how long, where files live)
 * belongs to the caller (core/tls/CertificateAuthority); this is only the mechanism. CA
 * certificates are CA:TRUE (critical, pathlen 0) with keyCertSign; leaves CA:FALSE with
 * digitalSignature (+keyEncipherment for RSA keys) and the extended key usage of their role.
 * `where` names the file or reference in error messages.
 */
namespace Pki {

/** A new private key as PKCS#8 PEM; `what` names it in an error ("the CA key"). */
Result<QByteArray> newPrivateKey(KeyType type, const QString &what = QStringLiteral("the key"));
/** The type of a PEM private key; nothing when it cannot be read. */
std::optional<KeyType> keyTypeOf(const QByteArray &keyPem);

/** A self-signed CA certificate for `keyPem`. */
Result<QByteArray> selfSignedCa(const QByteArray &keyPem, const QString &commonName,
                                int validityDays);

struct LeafSpec
{
    QString commonName;
    int validityDays = 397;
    bool client = false;         // clientAuth (mTLS) instead of serverAuth
    QStringList subjectAltNames; // "DNS:x", "IP:1.2.3.4"
};

struct Issuer
{
    QByteArray certPem;
    QString certWhere;
    QByteArray keyPem;
    QString keyWhere;
};

/** A certificate for `keyPem` signed by `issuer`. */
Result<QByteArray> signLeaf(const QByteArray &keyPem, const LeafSpec &spec, const Issuer &issuer);

/** Checks that `keyPem` is a private key OpenSSL can read. */
Result<void> checkPrivateKey(const QByteArray &keyPem, const QString &where);

/** The first certificate of `certPem`, encoded again as clean PEM (no text, bundle or CRLF). */
Result<QByteArray> canonicalCertificate(const QByteArray &certPem, const QString &where);

/** The fields of a PEM certificate. */
Result<CertificateFields> readCertificate(const QByteArray &certPem, const QString &where);

} // namespace Pki
} // namespace Portoser
