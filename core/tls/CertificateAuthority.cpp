// SPDX-License-Identifier: Apache-2.0
#include "core/tls/CertificateAuthority.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QHostAddress>
#include <QRegularExpression>
#include <QSaveFile>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
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

template <auto Free>
struct Deleter
{
    template <typename T>
    void operator()(T *p) const
    {
        Free(p);
    }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;

QString opensslError(const QString &what)
{
    const unsigned long code = ERR_get_error();
    char text[256] = {};
    if (code)
        ERR_error_string_n(code, text, sizeof text);
    ERR_clear_error();
    return code ? u"%1: %2"_s.arg(what, QString::fromLatin1(text)) : what;
}

KeyPtr makeKey(KeyType type)
{
    switch (type) {
    case KeyType::Rsa3072:
        return KeyPtr(EVP_RSA_gen(3072));
    case KeyType::Rsa4096:
        return KeyPtr(EVP_RSA_gen(4096));
    case KeyType::EcP256:
        break;
    }
    return KeyPtr(EVP_EC_gen("P-256"));
}

/** Writes `bytes` atomically with `permissions`. */
Result<void> writeFile(const QString &path, const QByteArray &bytes, QFile::Permissions permissions)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{ErrorCode::Failed, u"%1: %2"_s.arg(path, file.errorString())};
    file.setPermissions(permissions);
    file.write(bytes);
    if (!file.commit())
        return Error{ErrorCode::Failed, u"%1: %2"_s.arg(path, file.errorString())};
    return {};
}

QByteArray pemOf(EVP_PKEY *key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, size);
}

QByteArray pemOf(X509 *cert)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert);
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, size);
}

Result<QByteArray> readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::NotFound, u"%1: %2"_s.arg(path, file.errorString())};
    return file.readAll();
}

Result<CertPtr> readCert(const QString &path)
{
    auto bytes = readAll(path);
    if (!bytes)
        return bytes.error();
    BioPtr bio(BIO_new_mem_buf(bytes->constData(), int(bytes->size())));
    CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        return Error{ErrorCode::ParseError, opensslError(u"%1: not a PEM certificate"_s.arg(path))};
    return cert;
}

Result<KeyPtr> parseKey(const QByteArray &pem, const QString &where)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key)
        return Error{ErrorCode::ParseError,
                     opensslError(u"%1: not a PEM private key"_s.arg(where))};
    return key;
}

Result<KeyPtr> readKey(const QString &path)
{
    auto bytes = readAll(path);
    if (!bytes)
        return bytes.error();
    return parseKey(*bytes, path);
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

/** A certificate for `key`, named `commonName`, signed by `signer` (itself when null). */
Result<CertPtr> makeCertificate(EVP_PKEY *key, const QString &commonName, int validityDays,
                                X509 *issuerCert, EVP_PKEY *issuerKey,
                                const QList<std::pair<int, QByteArray>> &extensions)
{
    CertPtr cert(X509_new());
    X509_set_version(cert.get(), 2); // v3
    unsigned char serial[16];
    // Unique serials are what lets a revocation or a browser tell two certificates apart.
    if (RAND_bytes(serial, sizeof serial) != 1)
        return Error{ErrorCode::Failed, opensslError(u"no random serial number"_s)};
    serial[0] &= 0x7f; // positive
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300); // a little clock skew
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), long(validityDays) * 86400);
    X509_set_pubkey(cert.get(), key);
    X509_NAME *name = X509_get_subject_name(cert.get());
    const QByteArray cn = commonName.toUtf8();
    X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char *>(cn.constData()), -1, -1, 0);
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
    return cert;
}

} // namespace

bool CertificateInfo::covers(const QString &name) const
{
    QString wanted = name.trimmed().toLower();
    while (wanted.endsWith(u'.'))
        wanted.chop(1);
    if (wanted.isEmpty())
        return false;
    const QHostAddress address(wanted);
    for (const QString &entry : names) {
        if (!address.isNull()) {
            if (entry.startsWith(u"IP:"_s) && QHostAddress(entry.mid(3)) == address)
                return true;
            continue;
        }
        if (!entry.startsWith(u"DNS:"_s))
            continue;
        const QString dns = entry.mid(4).toLower();
        if (dns == wanted)
            return true;
        // A wildcard stands for exactly one whole leftmost label (RFC 6125, 6.4.3).
        const qsizetype dot = wanted.indexOf(u'.');
        if (dns.startsWith(u"*."_s) && dot > 0 && wanted.mid(dot + 1) == dns.mid(2))
            return true;
    }
    return false;
}

QString CertificateAuthority::registryId(const Registry &registry)
{
    QString domain = registry.domain.trimmed().toLower();
    while (domain.endsWith(u'.'))
        domain.chop(1);
    if (domain.startsWith(u"*."_s))
        domain = domain.mid(2);
    // The validator already holds a domain to host-name rules; a directory name must also never
    // climb out of certs/ whatever it was given.
    static const QRegularExpression safe(u"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$"_s);
    if (safe.match(domain).hasMatch() && !domain.contains(u".."_s))
        return domain;
    const QFileInfo file(registry.path);
    const QString where =
        file.canonicalFilePath().isEmpty() ? file.absoluteFilePath() : file.canonicalFilePath();
    return u"registry-"_s
           + QString::fromLatin1(
               QCryptographicHash::hash(where.toUtf8(), QCryptographicHash::Sha256)
                   .toHex()
                   .left(12));
}

CertificateRequest CertificateAuthority::serverRequest(const Registry &registry,
                                                       const Service &service)
{
    CertificateRequest request;
    request.commonName = service.hostname.isEmpty() ? service.name : service.hostname;
    QStringList names{service.hostname, service.name};
    if (const Host *host = registry.host(service.currentHost)) {
        names.append(host->name);
        for (const QString &address : {host->ip, host->sshHostname}) {
            if (QHostAddress(address).isNull())
                names.append(address);
            else if (!request.ipAddresses.contains(address))
                request.ipAddresses.append(address);
        }
    }
    for (const QString &n : std::as_const(names)) {
        if (!n.isEmpty() && !request.dnsNames.contains(n))
            request.dnsNames.append(n);
    }
    return request;
}

QString CertificateAuthority::serviceDir(const Registry &registry, const Service &service) const
{
    const QString own = certsDir(registryId(registry), service.name);
    if (QFile::exists(own + u"/server.crt"_s) || QFile::exists(own + u"/client.crt"_s))
        return own;
    // The old flat layout had one directory per service name for every registry: it is this
    // service's only if it names everything a certificate issued for it now would.
    const QString legacy = legacyCertsDir(service.name);
    const auto old = inspect(legacy + u"/server.crt"_s);
    if (!old)
        return own;
    const CertificateRequest wanted = serverRequest(registry, service);
    for (const QString &name : wanted.dnsNames + wanted.ipAddresses) {
        if (!old->covers(name))
            return own;
    }
    return legacy;
}

QString CertificateAuthority::defaultHome()
{
    return qEnvironmentVariable("PORTOSER_HOME", QDir::homePath() + u"/.portoser"_s);
}

CertificateAuthority::CertificateAuthority(QString home)
    : m_home(std::move(home))
{}

bool CertificateAuthority::exists() const
{
    return QFile::exists(caCertFile()) && (QFile::exists(keyFile()) || !keyReference().isEmpty());
}

QString CertificateAuthority::keyReference() const
{
    QFile file(caDir() + u"/ca.key.ref"_s);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()).trimmed() : QString();
}

void CertificateAuthority::setKeyStore(KeyStore store)
{
    m_keyStore = std::move(store);
}

Result<QString> CertificateAuthority::moveKeyToStore(const QString &reference)
{
    if (!m_keyStore.save)
        return Error{ErrorCode::Failed, u"no secrets store to keep the CA key in"_s};
    auto pem = readAll(keyFile());
    if (!pem)
        return pem.error();
    if (auto saved = m_keyStore.save(reference, *pem); !saved)
        return saved.error();
    // Read back before the file goes: a key that cannot be fetched again would orphan the CA.
    auto back = m_keyStore.load(reference);
    if (!back || *back != *pem)
        return Error{
            ErrorCode::Failed,
            u"the CA key was written to %1 but does not read back the same; %2 is kept"_s.arg(
                reference, keyFile())};
    if (auto w = writeFile(caDir() + u"/ca.key.ref"_s, reference.toUtf8() + '\n',
                           QFile::ReadOwner | QFile::WriteOwner);
        !w)
        return w.error();
    QFile::remove(keyFile());
    return reference;
}

Result<QByteArray> CertificateAuthority::caKeyPem() const
{
    if (QFile::exists(keyFile()))
        return readAll(keyFile());
    const QString reference = keyReference();
    if (reference.isEmpty() || !m_keyStore.load)
        return Error{ErrorCode::NotFound,
                     reference.isEmpty()
                         ? u"the CA key %1 is missing"_s.arg(keyFile())
                         : u"the CA key is kept in the secrets store (%1), which is not open "
                           "here"_s.arg(reference)};
    auto pem = m_keyStore.load(reference);
    if (!pem)
        return Error{pem.error().code,
                     u"the CA key (%1): %2"_s.arg(reference, pem.error().message)};
    return pem;
}

Result<CertificateInfo> CertificateAuthority::init(const QString &commonName, KeyType keyType,
                                                   int validityDays, bool replace)
{
    if (exists() && !replace)
        return Error{ErrorCode::Conflict,
                     u"a CA already exists in %1; certificates it issued would stop being "
                     "trusted if it were replaced (--force replaces it)"_s.arg(caDir())};
    if (validityDays < 1)
        return Error{ErrorCode::InvalidInput, u"validity must be at least one day"_s};
    KeyPtr key = makeKey(keyType);
    if (!key)
        return Error{ErrorCode::Failed, opensslError(u"making the CA key"_s)};
    auto cert = makeCertificate(key.get(), commonName, validityDays, nullptr, nullptr,
                                {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                                 {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                 {NID_subject_key_identifier, "hash"}});
    if (!cert)
        return cert.error();
    const auto owner = QFile::ReadOwner | QFile::WriteOwner;
    if (auto w = writeFile(keyFile(), pemOf(key.get()), owner); !w)
        return w.error();
    QFile::remove(caDir() + u"/ca.key.ref"_s); // a new CA's key is its file until moved
    if (auto w = writeFile(caCertFile(), pemOf(cert->get()),
                           owner | QFile::ReadGroup | QFile::ReadOther);
        !w)
        return w.error();
    return inspect(caCertFile());
}

Result<CertificateInfo> CertificateAuthority::issue(const QString &registryId,
                                                    const QString &service,
                                                    const CertificateRequest &request)
{
    auto issued = issueInto(certsDir(registryId, service), request);
    if (issued) {
        issued->registryId = registryId;
        issued->service = service;
    }
    return issued;
}

Result<CertificateInfo> CertificateAuthority::issueInto(const QString &dir,
                                                        const CertificateRequest &request)
{
    const QString name = QFileInfo(dir).fileName();
    if (!exists())
        return Error{ErrorCode::NotFound,
                     u"no CA in %1 yet: run `portoser --cli certs init-ca` first"_s.arg(caDir())};
    auto caCert = readCert(caCertFile());
    if (!caCert)
        return caCert.error();
    auto caKeyPem = this->caKeyPem();
    if (!caKeyPem)
        return caKeyPem.error();
    auto caKey = parseKey(*caKeyPem, keyReference().isEmpty() ? keyFile() : keyReference());
    if (!caKey)
        return caKey.error();
    QStringList names;
    for (const QString &dns : request.dnsNames)
        names.append(u"DNS:"_s + dns);
    for (const QString &ip : request.ipAddresses)
        names.append(u"IP:"_s + ip);
    if (!request.client && names.isEmpty())
        return Error{
            ErrorCode::InvalidInput,
            u"a server certificate for %1 needs at least one DNS name or address"_s.arg(name)};
    KeyPtr key = makeKey(request.keyType);
    if (!key)
        return Error{ErrorCode::Failed, opensslError(u"making the key"_s)};
    const bool rsa = request.keyType != KeyType::EcP256;
    QList<std::pair<int, QByteArray>> extensions{
        {NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage,
         rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"},
        {NID_ext_key_usage, request.client ? "clientAuth" : "serverAuth"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"}};
    if (!names.isEmpty())
        extensions.append({NID_subject_alt_name, names.join(u',').toUtf8()});
    auto cert = makeCertificate(key.get(), request.commonName, request.validityDays, caCert->get(),
                                caKey->get(), extensions);
    if (!cert)
        return cert.error();
    const QString base = dir + (request.client ? u"/client"_s : u"/server"_s);
    const auto owner = QFile::ReadOwner | QFile::WriteOwner;
    const auto readable = owner | QFile::ReadGroup | QFile::ReadOther;
    if (auto w = writeFile(base + u".key"_s, pemOf(key.get()), owner); !w)
        return w.error();
    if (auto w = writeFile(base + u".crt"_s, pemOf(cert->get()), readable); !w)
        return w.error();
    if (auto w = writeFile(dir + u"/ca.crt"_s, pemOf(caCert->get()), readable); !w)
        return w.error();
    return inspect(base + u".crt"_s);
}

Result<CertificateInfo> CertificateAuthority::reissue(const CertificateInfo &old)
{
    if (old.isCa)
        return Error{ErrorCode::InvalidInput,
                     u"%1 is the CA: make a new one with init-ca --force"_s.arg(old.file)};
    CertificateRequest request;
    request.commonName = old.subject;
    request.client = old.usages.contains(u"clientAuth"_s);
    request.validityDays = qMax(1, int(old.notBefore.secsTo(old.notAfter) / 86400));
    for (const QString &name : old.names) {
        if (name.startsWith(u"DNS:"_s))
            request.dnsNames.append(name.mid(4));
        else if (name.startsWith(u"IP:"_s))
            request.ipAddresses.append(name.mid(3));
    }
    QString keyFile = old.file;
    keyFile.replace(keyFile.size() - 4, 4, u".key"_s);
    if (auto key = readKey(keyFile)) {
        if (EVP_PKEY_get_base_id(key->get()) == EVP_PKEY_RSA)
            request.keyType =
                EVP_PKEY_get_bits(key->get()) > 3072 ? KeyType::Rsa4096 : KeyType::Rsa3072;
    }
    auto fresh = issueInto(QFileInfo(old.file).absolutePath(), request);
    if (fresh) {
        fresh->registryId = old.registryId;
        fresh->service = old.service;
    }
    return fresh;
}

Result<QList<CertificateInfo>> CertificateAuthority::list() const
{
    QList<CertificateInfo> out;
    if (QFile::exists(caCertFile())) {
        auto ca = inspect(caCertFile());
        if (!ca)
            return ca.error();
        out.append(*ca);
    }
    QStringList files;
    const QDir certs(m_home + u"/certs"_s);
    QDirIterator it(certs.path(), {u"server.crt"_s, u"client.crt"_s}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(it.next());
    files.sort();
    for (const QString &file : std::as_const(files)) {
        // certs/<registry id>/<service>/…, or certs/<service>/… in the old flat layout
        const QStringList parts = certs.relativeFilePath(file).split(u'/');
        if (parts.size() > 3)
            continue;
        auto info = inspect(file);
        if (!info)
            return info.error();
        info->service = parts.at(parts.size() - 2);
        if (parts.size() == 3)
            info->registryId = parts.at(0);
        out.append(*info);
    }
    return out;
}

Result<CertificateInfo> CertificateAuthority::inspect(const QString &pemFile)
{
    auto cert = readCert(pemFile);
    if (!cert)
        return cert.error();
    X509 *x = cert->get();
    CertificateInfo info;
    info.file = pemFile;
    info.subject = commonNameOf(X509_get_subject_name(x));
    info.issuer = commonNameOf(X509_get_issuer_name(x));
    info.notBefore = timeOf(X509_get0_notBefore(x));
    info.notAfter = timeOf(X509_get0_notAfter(x));
    info.isCa = X509_check_ca(x) > 0;
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), nullptr);
    char *hex = BN_bn2hex(bn);
    info.serial = QString::fromLatin1(hex).toLower();
    OPENSSL_free(hex);
    BN_free(bn);
    const uint32_t eku = X509_get_extended_key_usage(x);
    if (eku != UINT32_MAX) {
        if (eku & XKU_SSL_SERVER)
            info.usages.append(u"serverAuth"_s);
        if (eku & XKU_SSL_CLIENT)
            info.usages.append(u"clientAuth"_s);
    }
    auto *sans =
        static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); ++i) {
        const GENERAL_NAME *n = sk_GENERAL_NAME_value(sans, i);
        if (n->type == GEN_DNS) {
            info.names.append(u"DNS:"_s
                              + QString::fromUtf8(reinterpret_cast<const char *>(
                                  ASN1_STRING_get0_data(n->d.dNSName))));
        } else if (n->type == GEN_IPADD) {
            const ASN1_OCTET_STRING *ip = n->d.iPAddress;
            const unsigned char *b = ASN1_STRING_get0_data(ip);
            if (ASN1_STRING_length(ip) == 4) {
                info.names.append(u"IP:%1.%2.%3.%4"_s.arg(b[0]).arg(b[1]).arg(b[2]).arg(b[3]));
            } else if (ASN1_STRING_length(ip) == 16) {
                Q_IPV6ADDR v6;
                std::copy(b, b + 16, v6.c);
                info.names.append(u"IP:"_s + QHostAddress(v6).toString());
            }
        }
    }
    GENERAL_NAMES_free(sans);
    return info;
}

} // namespace Portoser
