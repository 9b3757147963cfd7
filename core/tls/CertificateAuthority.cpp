// SPDX-License-Identifier: Apache-2.0
#include "core/tls/CertificateAuthority.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QHostAddress>
#include <QRegularExpression>
#include <QSaveFile>

#include <algorithm>
#include <memory>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

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

Result<QByteArray> readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::NotFound, u"%1: %2"_s.arg(path, file.errorString())};
    return file.readAll();
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
    const auto key = Pki::newPrivateKey(keyType, u"the CA key"_s);
    if (!key)
        return key.error();
    const auto cert = Pki::selfSignedCa(*key, commonName, validityDays);
    if (!cert)
        return cert.error();
    const auto owner = QFile::ReadOwner | QFile::WriteOwner;
    if (auto w = writeFile(keyFile(), *key, owner); !w)
        return w.error();
    QFile::remove(caDir() + u"/ca.key.ref"_s); // a new CA's key is its file until moved
    if (auto w = writeFile(caCertFile(), *cert, owner | QFile::ReadGroup | QFile::ReadOther); !w)
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
    const auto caCert = readAll(caCertFile());
    if (!caCert)
        return caCert.error();
    // What goes beside the service's certificate is the CA certificate alone, as clean PEM.
    const auto caCertPem = Pki::canonicalCertificate(*caCert, caCertFile());
    if (!caCertPem)
        return caCertPem.error();
    const auto caKey = caKeyPem();
    if (!caKey)
        return caKey.error();
    const QString caKeyWhere = keyReference().isEmpty() ? keyFile() : keyReference();
    if (auto checked = Pki::checkPrivateKey(*caKey, caKeyWhere); !checked)
        return checked.error();
    QStringList names;
    for (const QString &dns : request.dnsNames)
        names.append(u"DNS:"_s + dns);
    for (const QString &ip : request.ipAddresses)
        names.append(u"IP:"_s + ip);
    if (!request.client && names.isEmpty())
        return Error{
            ErrorCode::InvalidInput,
            u"a server certificate for %1 needs at least one DNS name or address"_s.arg(name)};
    const auto key = Pki::newPrivateKey(request.keyType);
    if (!key)
        return key.error();
    const auto cert =
        Pki::signLeaf(*key, {request.commonName, request.validityDays, request.client, names},
                      {*caCert, caCertFile(), *caKey, caKeyWhere});
    if (!cert)
        return cert.error();
    const QString base = dir + (request.client ? u"/client"_s : u"/server"_s);
    const auto owner = QFile::ReadOwner | QFile::WriteOwner;
    const auto readable = owner | QFile::ReadGroup | QFile::ReadOther;
    if (auto w = writeFile(base + u".key"_s, *key, owner); !w)
        return w.error();
    if (auto w = writeFile(base + u".crt"_s, *cert, readable); !w)
        return w.error();
    if (auto w = writeFile(dir + u"/ca.crt"_s, *caCertPem, readable); !w)
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
    if (const auto pem = readAll(keyFile)) {
        if (const auto type = Pki::keyTypeOf(*pem))
            request.keyType = *type;
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
    const auto pem = readAll(pemFile);
    if (!pem)
        return pem.error();
    auto fields = Pki::readCertificate(*pem, pemFile);
    if (!fields)
        return fields.error();
    CertificateInfo info;
    static_cast<CertificateFields &>(info) = *fields;
    info.file = pemFile;
    return info;
}

} // namespace Portoser
