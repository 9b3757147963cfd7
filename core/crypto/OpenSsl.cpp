// SPDX-License-Identifier: Apache-2.0
// The OpenSSL adapter: the only file that sees OpenSSL. It implements SecretCipher (the secrets
// store's scrypt + AES-256-GCM), JwtSignature (OIDC token signatures) and Pki (keys and X.509
// for the internal CA), so handle ownership, error text and randomness exist once.
#include "core/crypto/JwtSignature.h"
#include "core/crypto/Pki.h"
#include "core/crypto/SecretCipher.h"

#include <QDate>
#include <QHostAddress>
#include <QTime>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

// --- handles, bytes and errors, once for every OpenSSL user

template <auto Free>
struct Deleter
{
    template <typename T>
    void operator()(T *p) const
    {
        Free(p);
    }
};
using Bn = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;

const unsigned char *bytes(const QByteArray &a)
{
    return reinterpret_cast<const unsigned char *>(a.constData());
}

unsigned char *bytes(QByteArray &a)
{
    return reinterpret_cast<unsigned char *>(a.data());
}

/** `what`, with OpenSSL's reason when it left one (and its error queue emptied). */
QString opensslError(const QString &what)
{
    const unsigned long code = ERR_get_error();
    char text[256] = {};
    if (code)
        ERR_error_string_n(code, text, sizeof text);
    ERR_clear_error();
    return code ? u"%1: %2"_s.arg(what, QString::fromLatin1(text)) : what;
}

Bn bignum(const QByteArray &data)
{
    return Bn(BN_bin2bn(bytes(data), int(data.size()), nullptr));
}

Bio memoryBio(const QByteArray &data)
{
    return Bio(BIO_new_mem_buf(data.constData(), int(data.size())));
}

QByteArray contentsOf(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, size);
}

} // namespace

// ===================================================================== SecretCipher

namespace SecretCipher {

QByteArray randomBytes(int count)
{
    QByteArray out(count, Qt::Uninitialized);
    if (RAND_bytes(bytes(out), count) != 1)
        qFatal("OpenSSL could not produce random bytes");
    return out;
}

Result<QByteArray> deriveKey(const QByteArray &passphrase, const KdfParams &params)
{
    if (passphrase.isEmpty())
        return Error{ErrorCode::InvalidInput, u"empty secrets passphrase"_s};
    QByteArray key(KeyBytes, Qt::Uninitialized);
    // 64 MiB is enough for n=2^15, r=8 (32 MiB) with room for a stronger store written later.
    if (EVP_PBE_scrypt(passphrase.constData(), size_t(passphrase.size()), bytes(params.salt),
                       size_t(params.salt.size()), params.n, params.r, params.p, 64ULL << 20,
                       bytes(key), size_t(key.size()))
        != 1)
        return Error{
            ErrorCode::Failed,
            u"scrypt failed (n=%1, r=%2, p=%3)"_s.arg(params.n).arg(params.r).arg(params.p)};
    return key;
}

Result<QByteArray> seal(const QByteArray &key, const QByteArray &nonce, const QByteArray &plaintext,
                        const QByteArray &aad)
{
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    QByteArray out(plaintext.size() + TagBytes, Qt::Uninitialized);
    int length = 0, final = 0;
    if (!ctx || key.size() != KeyBytes || nonce.size() != NonceBytes
        || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, NonceBytes, nullptr) != 1
        || EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key), bytes(nonce)) != 1
        || EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(aad), int(aad.size())) != 1
        || EVP_EncryptUpdate(ctx.get(), bytes(out), &length, bytes(plaintext),
                             int(plaintext.size()))
               != 1
        || EVP_EncryptFinal_ex(ctx.get(), bytes(out) + length, &final) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, TagBytes,
                               bytes(out) + length + final)
               != 1)
        return Error{ErrorCode::Failed, u"AES-256-GCM encryption failed"_s};
    out.truncate(length + final + TagBytes);
    return out;
}

Result<QByteArray> open(const QByteArray &key, const QByteArray &nonce, const QByteArray &sealed,
                        const QByteArray &aad)
{
    if (sealed.size() < TagBytes || key.size() != KeyBytes || nonce.size() != NonceBytes)
        return Error{ErrorCode::InvalidInput, u"the encrypted data is cut short"_s};
    const QByteArray data = sealed.left(sealed.size() - TagBytes);
    QByteArray tag = sealed.right(TagBytes);
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    QByteArray out(data.size() + 16, Qt::Uninitialized);
    int length = 0, final = 0;
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, NonceBytes, nullptr) != 1
        || EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key), bytes(nonce)) != 1
        || EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(aad), int(aad.size())) != 1
        || EVP_DecryptUpdate(ctx.get(), bytes(out), &length, bytes(data), int(data.size())) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, TagBytes, bytes(tag)) != 1
        || EVP_DecryptFinal_ex(ctx.get(), bytes(out) + length, &final) != 1)
        return Error{ErrorCode::PermissionDenied,
                     u"cannot decrypt: wrong passphrase or key, or the file was altered"_s};
    out.truncate(length + final);
    return out;
}

} // namespace SecretCipher

// ===================================================================== JwtSignature

namespace JwtSignature {
namespace {

QByteArray b64url(const QJsonObject &jwk, const char *key)
{
    return QByteArray::fromBase64(jwk.value(QLatin1StringView(key)).toString().toLatin1(),
                                  QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Pkey fromParams(const char *type, OSSL_PARAM *params)
{
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY *key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0
        || EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        return nullptr;
    return Pkey(key);
}

Pkey rsaKey(const QJsonObject &jwk)
{
    const Bn n = bignum(b64url(jwk, "n"));
    const Bn e = bignum(b64url(jwk, "e"));
    ParamBld bld(OSSL_PARAM_BLD_new());
    if (!n || !e || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get())
        || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()))
        return nullptr;
    Params params(OSSL_PARAM_BLD_to_param(bld.get()));
    return params ? fromParams("RSA", params.get()) : nullptr;
}

Pkey ecKey(const QJsonObject &jwk)
{
    const QByteArray x = b64url(jwk, "x");
    const QByteArray y = b64url(jwk, "y");
    if (jwk.value(u"crv"_s).toString() != u"P-256" || x.size() != 32 || y.size() != 32)
        return nullptr;
    const QByteArray point = QByteArray(1, '\x04') + x + y; // uncompressed
    ParamBld bld(OSSL_PARAM_BLD_new());
    if (!bld
        || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0)
        || !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                             size_t(point.size())))
        return nullptr;
    Params params(OSSL_PARAM_BLD_to_param(bld.get()));
    return params ? fromParams("EC", params.get()) : nullptr;
}

/** JWS carries an ECDSA signature as r || s; OpenSSL verifies DER. */
QByteArray derFromRaw(const QByteArray &raw)
{
    if (raw.size() != 64)
        return {};
    EcdsaSig sig(ECDSA_SIG_new());
    Bn r = bignum(raw.left(32));
    Bn s = bignum(raw.mid(32));
    if (!sig || !r || !s || !ECDSA_SIG_set0(sig.get(), r.get(), s.get()))
        return {};
    (void)r.release(); // owned by sig now
    (void)s.release();
    unsigned char *der = nullptr;
    const int length = i2d_ECDSA_SIG(sig.get(), &der);
    if (length <= 0)
        return {};
    QByteArray out(reinterpret_cast<const char *>(der), length);
    OPENSSL_free(der);
    return out;
}

} // namespace

std::optional<QString> verify(const QString &algorithm, const QJsonObject &jwk,
                              const QByteArray &signingInput, const QByteArray &signature)
{
    Pkey key;
    QByteArray sig = signature;
    if (algorithm == u"RS256") {
        if (jwk.value(u"kty"_s).toString() != u"RSA")
            return u"the key for RS256 is not an RSA key"_s;
        key = rsaKey(jwk);
    } else if (algorithm == u"ES256") {
        if (jwk.value(u"kty"_s).toString() != u"EC")
            return u"the key for ES256 is not an EC key"_s;
        key = ecKey(jwk);
        sig = derFromRaw(signature);
        if (sig.isEmpty())
            return u"malformed ES256 signature"_s;
    } else {
        return u"algorithm %1 is not accepted (RS256 or ES256)"_s.arg(algorithm);
    }
    if (!key)
        return u"the issuer's key (kid %1) is malformed"_s.arg(jwk.value(u"kid"_s).toString());
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) <= 0)
        return u"cannot verify signatures (OpenSSL)"_s;
    const int ok = EVP_DigestVerify(ctx.get(), bytes(sig), size_t(sig.size()), bytes(signingInput),
                                    size_t(signingInput.size()));
    if (ok != 1)
        return u"bad signature"_s;
    return std::nullopt;
}

} // namespace JwtSignature

// ===================================================================== Pki

namespace Pki {
namespace {

Result<Pkey> parseKey(const QByteArray &pem, const QString &where)
{
    Bio bio = memoryBio(pem);
    Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key)
        return Error{ErrorCode::ParseError,
                     opensslError(u"%1: not a PEM private key"_s.arg(where))};
    return key;
}

Result<Cert> parseCert(const QByteArray &pem, const QString &where)
{
    Bio bio = memoryBio(pem);
    Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        return Error{ErrorCode::ParseError,
                     opensslError(u"%1: not a PEM certificate"_s.arg(where))};
    return cert;
}

QByteArray pemOf(X509 *cert)
{
    Bio bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert);
    return contentsOf(bio.get());
}

/** Adds one extension in openssl.cnf syntax, with `issuer` for the authority key id. */
bool addExtension(X509 *cert, X509 *issuer, int nid, const QByteArray &value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.constData());
    if (!ext)
        return false;
    const bool added = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return added;
}

QString commonNameOf(const X509_NAME *name)
{
    char text[256] = {};
    X509_NAME_get_text_by_NID(name, NID_commonName, text, sizeof text);
    return QString::fromUtf8(text);
}

QDateTime timeOf(const ASN1_TIME *t)
{
    struct tm parts = {};
    if (ASN1_TIME_to_tm(t, &parts) != 1)
        return {};
    return QDateTime(QDate(parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday),
                     QTime(parts.tm_hour, parts.tm_min, parts.tm_sec), Qt::UTC);
}

/** A certificate for `key`, named `commonName`, signed by `issuerKey` (itself when null). */
Result<QByteArray> makeCertificate(EVP_PKEY *key, const QString &commonName, int validityDays,
                                   X509 *issuerCert, EVP_PKEY *issuerKey,
                                   const QList<std::pair<int, QByteArray>> &extensions)
{
    Cert cert(X509_new());
    X509_set_version(cert.get(), 2); // v3
    // Unique serials are what lets a revocation or a browser tell two certificates apart.
    QByteArray serial(16, Qt::Uninitialized);
    if (RAND_bytes(bytes(serial), int(serial.size())) != 1)
        return Error{ErrorCode::Failed, opensslError(u"no random serial number"_s)};
    serial[0] = char(serial[0] & 0x7f); // positive
    BN_to_ASN1_INTEGER(bignum(serial).get(), X509_get_serialNumber(cert.get()));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300); // a little clock skew
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), long(validityDays) * 86400);
    X509_set_pubkey(cert.get(), key);
    X509_NAME *name = X509_get_subject_name(cert.get());
    const QByteArray cn = commonName.toUtf8();
    X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8, bytes(cn), -1, -1, 0);
    X509 *issuer = issuerCert ? issuerCert : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
    for (const auto &[nid, value] : extensions) {
        if (!addExtension(cert.get(), issuer, nid, value))
            return Error{ErrorCode::InvalidInput,
                         opensslError(u"certificate extension %1 = %2"_s.arg(
                             QString::fromLatin1(OBJ_nid2sn(nid)), QString::fromUtf8(value)))};
    }
    if (!X509_sign(cert.get(), issuerKey ? issuerKey : key, EVP_sha256()))
        return Error{ErrorCode::Failed, opensslError(u"signing the certificate"_s)};
    return pemOf(cert.get());
}

QStringList subjectAltNamesOf(X509 *x)
{
    QStringList names;
    auto *sans =
        static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); ++i) {
        const GENERAL_NAME *n = sk_GENERAL_NAME_value(sans, i);
        if (n->type == GEN_DNS) {
            names.append(u"DNS:"_s
                         + QString::fromUtf8(
                             reinterpret_cast<const char *>(ASN1_STRING_get0_data(n->d.dNSName))));
        } else if (n->type == GEN_IPADD) {
            const ASN1_OCTET_STRING *ip = n->d.iPAddress;
            const unsigned char *b = ASN1_STRING_get0_data(ip);
            if (ASN1_STRING_length(ip) == 4) {
                names.append(u"IP:%1.%2.%3.%4"_s.arg(b[0]).arg(b[1]).arg(b[2]).arg(b[3]));
            } else if (ASN1_STRING_length(ip) == 16) {
                Q_IPV6ADDR v6;
                std::copy(b, b + 16, v6.c);
                names.append(u"IP:"_s + QHostAddress(v6).toString());
            }
        }
    }
    GENERAL_NAMES_free(sans);
    return names;
}

} // namespace

Result<QByteArray> newPrivateKey(KeyType type, const QString &what)
{
    ERR_clear_error(); // so an error names this call's reason, not an earlier one's
    Pkey key;
    switch (type) {
    case KeyType::Rsa3072:
        key.reset(EVP_RSA_gen(3072));
        break;
    case KeyType::Rsa4096:
        key.reset(EVP_RSA_gen(4096));
        break;
    case KeyType::EcP256:
        key.reset(EVP_EC_gen("P-256"));
        break;
    }
    if (!key)
        return Error{ErrorCode::Failed, opensslError(u"making "_s + what)};
    Bio bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    return contentsOf(bio.get());
}

std::optional<KeyType> keyTypeOf(const QByteArray &keyPem)
{
    auto key = parseKey(keyPem, {});
    if (!key) {
        ERR_clear_error();
        return std::nullopt;
    }
    if (EVP_PKEY_get_base_id(key->get()) == EVP_PKEY_RSA)
        return EVP_PKEY_get_bits(key->get()) > 3072 ? KeyType::Rsa4096 : KeyType::Rsa3072;
    return KeyType::EcP256;
}

Result<QByteArray> selfSignedCa(const QByteArray &keyPem, const QString &commonName,
                                int validityDays)
{
    ERR_clear_error();
    auto key = parseKey(keyPem, u"the new CA key"_s);
    if (!key)
        return key.error();
    return makeCertificate(key->get(), commonName, validityDays, nullptr, nullptr,
                           {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                            {NID_key_usage, "critical,keyCertSign,cRLSign"},
                            {NID_subject_key_identifier, "hash"}});
}

Result<QByteArray> signLeaf(const QByteArray &keyPem, const LeafSpec &spec, const Issuer &issuer)
{
    ERR_clear_error();
    auto caCert = parseCert(issuer.certPem, issuer.certWhere);
    if (!caCert)
        return caCert.error();
    auto caKey = parseKey(issuer.keyPem, issuer.keyWhere);
    if (!caKey)
        return caKey.error();
    auto key = parseKey(keyPem, u"the new key"_s);
    if (!key)
        return key.error();
    const bool rsa = EVP_PKEY_get_base_id(key->get()) == EVP_PKEY_RSA;
    QList<std::pair<int, QByteArray>> extensions{
        {NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage,
         rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"},
        {NID_ext_key_usage, spec.client ? "clientAuth" : "serverAuth"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"}};
    if (!spec.subjectAltNames.isEmpty())
        extensions.append({NID_subject_alt_name, spec.subjectAltNames.join(u',').toUtf8()});
    return makeCertificate(key->get(), spec.commonName, spec.validityDays, caCert->get(),
                           caKey->get(), extensions);
}

Result<void> checkPrivateKey(const QByteArray &keyPem, const QString &where)
{
    ERR_clear_error();
    auto key = parseKey(keyPem, where);
    if (!key)
        return key.error();
    return {};
}

Result<QByteArray> canonicalCertificate(const QByteArray &certPem, const QString &where)
{
    ERR_clear_error();
    auto cert = parseCert(certPem, where);
    if (!cert)
        return cert.error();
    return pemOf(cert->get());
}

Result<CertificateFields> readCertificate(const QByteArray &certPem, const QString &where)
{
    ERR_clear_error();
    auto cert = parseCert(certPem, where);
    if (!cert)
        return cert.error();
    X509 *x = cert->get();
    CertificateFields info;
    info.subject = commonNameOf(X509_get_subject_name(x));
    info.issuer = commonNameOf(X509_get_issuer_name(x));
    info.notBefore = timeOf(X509_get0_notBefore(x));
    info.notAfter = timeOf(X509_get0_notAfter(x));
    info.isCa = X509_check_ca(x) > 0;
    Bn serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), nullptr));
    char *hex = BN_bn2hex(serial.get());
    info.serial = QString::fromLatin1(hex).toLower();
    OPENSSL_free(hex);
    const uint32_t eku = X509_get_extended_key_usage(x);
    if (eku != UINT32_MAX) {
        if (eku & XKU_SSL_SERVER)
            info.usages.append(u"serverAuth"_s);
        if (eku & XKU_SSL_CLIENT)
            info.usages.append(u"clientAuth"_s);
    }
    info.names = subjectAltNamesOf(x);
    return info;
}

} // namespace Pki
} // namespace Portoser
