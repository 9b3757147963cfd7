// SPDX-License-Identifier: Apache-2.0
#include "core/secrets/LocalSecretStore.h"

#include "core/crypto/SecretCipher.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLockFile>
#include <QSaveFile>

#include <sys/stat.h>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr auto Format = "portoser-secrets/1";

/** Changes whenever the file is replaced (every write renames a new file into place). */
QByteArray fileStamp(const QString &path)
{
    struct stat st
    {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return {};
    return QByteArray::number(qulonglong(st.st_ino)) + ':'
           + QByteArray::number(qlonglong(st.st_size)) + ':'
           + QByteArray::number(qlonglong(st.st_mtim.tv_sec)) + '.'
           + QByteArray::number(qlonglong(st.st_mtim.tv_nsec));
}

QByteArray b64(const QByteArray &a)
{
    return a.toBase64();
}

/** The header every byte of which the tag authenticates. */
QByteArray headerBytes(const QJsonObject &header)
{
    return QJsonDocument(header).toJson(QJsonDocument::Compact);
}

} // namespace

QString LocalSecretStore::defaultPath()
{
    const QString env = qEnvironmentVariable("PORTOSER_SECRETS_FILE");
    return env.isEmpty() ? QDir::home().filePath(u".portoser/secrets.enc"_s) : env;
}

Result<QByteArray> LocalSecretStore::passphraseFromEnvironment()
{
    const QByteArray direct = qgetenv("PORTOSER_SECRETS_PASSPHRASE");
    if (!direct.isEmpty())
        return direct;
    QString keyFile = qEnvironmentVariable("PORTOSER_SECRETS_KEY_FILE");
    if (keyFile.isEmpty())
        keyFile = QDir::home().filePath(u".portoser/secrets.key"_s);
    QFile file(keyFile);
    if (!file.exists())
        return Error{ErrorCode::NotFound,
                     u"no secrets passphrase: set PORTOSER_SECRETS_PASSPHRASE, or put one in %1 "
                     "(chmod 600) or in the file PORTOSER_SECRETS_KEY_FILE names"_s.arg(keyFile)};
    const auto others = QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther;
    if (file.permissions() & others)
        return Error{
            ErrorCode::PermissionDenied,
            u"secrets key file %1 can be read by other users; chmod 600 it"_s.arg(keyFile)};
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Failed, u"%1: %2"_s.arg(keyFile, file.errorString())};
    const QByteArray passphrase = file.readLine().trimmed();
    if (passphrase.isEmpty())
        return Error{ErrorCode::InvalidInput, u"secrets key file %1 is empty"_s.arg(keyFile)};
    return passphrase;
}

LocalSecretStore::LocalSecretStore(QString path, QByteArray passphrase)
    : m_path(std::move(path))
    , m_passphrase(std::move(passphrase))
{}

LocalSecretStore::~LocalSecretStore()
{
    m_passphrase.fill('\0');
    m_key.fill('\0');
}

Result<QByteArray> LocalSecretStore::keyFor(const QByteArray &salt)
{
    if (salt != m_salt || m_key.isEmpty()) {
        SecretCipher::KdfParams params;
        params.salt = salt;
        auto key = SecretCipher::deriveKey(m_passphrase, params);
        if (!key)
            return key.error();
        m_salt = salt;
        m_key = *key;
    }
    return m_key;
}

Result<std::unique_ptr<LocalSecretStore>> LocalSecretStore::open(const QString &path,
                                                                 const QByteArray &passphrase)
{
    if (passphrase.isEmpty())
        return Error{ErrorCode::InvalidInput,
                     u"no secrets passphrase: set PORTOSER_SECRETS_PASSPHRASE or "
                     "PORTOSER_SECRETS_KEY_FILE (a 0600 file)"_s};
    std::unique_ptr<LocalSecretStore> store(new LocalSecretStore(path, passphrase));
    if (auto loaded = store->load(); !loaded)
        return loaded.error();
    return store;
}

Result<void> LocalSecretStore::load()
{
    m_fileStamp = fileStamp(m_path);
    QFile file(m_path);
    if (!file.exists()) {
        m_data = {{u"paths"_s, QJsonObject()}};
        return {};
    }
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Failed, u"%1: %2"_s.arg(m_path, file.errorString())};
    const QJsonObject doc = QJsonDocument::fromJson(file.readAll()).object();
    const QJsonObject header = doc.value(u"header"_s).toObject();
    if (header.value(u"format"_s).toString() != QLatin1StringView(Format))
        return Error{ErrorCode::ParseError,
                     u"%1: not a Portoser secrets file (format '%2'); nothing was read"_s.arg(
                         m_path, header.value(u"format"_s).toString())};
    const QJsonObject kdf = header.value(u"kdf"_s).toObject();
    SecretCipher::KdfParams params;
    params.salt = QByteArray::fromBase64(kdf.value(u"salt"_s).toString().toLatin1());
    params.n = quint64(kdf.value(u"n"_s).toDouble());
    params.r = quint32(kdf.value(u"r"_s).toInt());
    params.p = quint32(kdf.value(u"p"_s).toInt());
    const SecretCipher::KdfParams defaults;
    auto key = params.n == defaults.n && params.r == defaults.r && params.p == defaults.p
                   ? keyFor(params.salt)
                   : SecretCipher::deriveKey(m_passphrase, params); // another strength: no caching
    if (!key)
        return key.error();
    const QByteArray nonce = QByteArray::fromBase64(header.value(u"nonce"_s).toString().toLatin1());
    const QByteArray sealed =
        QByteArray::fromBase64(doc.value(u"ciphertext"_s).toString().toLatin1());
    auto plain = SecretCipher::open(*key, nonce, sealed, headerBytes(header));
    if (!plain) {
        m_fileStamp.clear(); // read it again next time rather than trust what we had
        return Error{ErrorCode::PermissionDenied, u"%1: %2"_s.arg(m_path, plain.error().message)};
    }
    m_data = QJsonDocument::fromJson(*plain).object();
    plain->fill('\0');
    return {};
}

Result<void> LocalSecretStore::save()
{
    // A fresh random nonce each write is what GCM needs; the salt (and key) can stay.
    SecretCipher::KdfParams params;
    params.salt = m_salt.isEmpty() ? SecretCipher::randomBytes(16) : m_salt;
    auto key = keyFor(params.salt);
    if (!key)
        return key.error();
    const QByteArray nonce = SecretCipher::randomBytes(SecretCipher::NonceBytes);
    const QJsonObject header{
        {u"format"_s, QLatin1StringView(Format)},
        {u"cipher"_s, u"AES-256-GCM"_s},
        {u"kdf"_s, QJsonObject{{u"name"_s, u"scrypt"_s},
                               {u"salt"_s, QString::fromLatin1(b64(params.salt))},
                               {u"n"_s, double(params.n)},
                               {u"r"_s, int(params.r)},
                               {u"p"_s, int(params.p)}}},
        {u"nonce"_s, QString::fromLatin1(b64(nonce))}};
    QByteArray plain = QJsonDocument(m_data).toJson(QJsonDocument::Compact);
    auto sealed = SecretCipher::seal(*key, nonce, plain, headerBytes(header));
    plain.fill('\0');
    if (!sealed)
        return sealed.error();
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    if (QFile::exists(m_path)) {
        QFile::remove(m_path + u".bak"_s);
        if (!QFile::copy(m_path, m_path + u".bak"_s))
            return Error{ErrorCode::Failed, u"%1: cannot keep the previous version"_s.arg(m_path)};
        QFile::setPermissions(m_path + u".bak"_s, QFile::ReadOwner | QFile::WriteOwner);
    }
    QSaveFile file(m_path); // temp file, fsync, rename
    if (!file.open(QIODevice::WriteOnly))
        return Error{ErrorCode::Failed, u"%1: %2"_s.arg(m_path, file.errorString())};
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    file.write(QJsonDocument(QJsonObject{{u"header"_s, header},
                                         {u"ciphertext"_s, QString::fromLatin1(b64(*sealed))}})
                   .toJson());
    if (!file.commit())
        return Error{ErrorCode::Failed, u"%1: %2"_s.arg(m_path, file.errorString())};
    m_fileStamp = fileStamp(m_path);
    return {};
}

Result<void> LocalSecretStore::update(const std::function<Result<void>()> &change)
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QLockFile lock(m_path + u".lock"_s);
    lock.setStaleLockTime(0); // stale only when its process is gone
    if (!lock.tryLock(30000))
        return Error{ErrorCode::Timeout, u"%1 is locked by another writer for 30 s"_s.arg(m_path)};
    if (auto loaded = load(); !loaded) // what others wrote since we read it
        return loaded;
    if (auto changed = change(); !changed)
        return changed;
    return save();
}

Result<void> LocalSecretStore::refresh()
{
    return fileStamp(m_path) == m_fileStamp ? Result<void>() : load();
}

QString LocalSecretStore::kind() const
{
    return u"local"_s;
}

QString LocalSecretStore::location() const
{
    return m_path;
}

QJsonObject LocalSecretStore::status()
{
    auto fresh = refresh();
    auto all = paths();
    return {{u"backend"_s, kind()},
            {u"cipher"_s, u"AES-256-GCM, scrypt"_s},
            {u"file"_s, m_path},
            {u"exists"_s, QFileInfo::exists(m_path)},
            {u"unlocked"_s, fresh.ok()},
            {u"error"_s, fresh ? QJsonValue() : QJsonValue(fresh.error().message)},
            {u"paths"_s, all ? int(all->size()) : 0}};
}

Result<QStringList> LocalSecretStore::paths(const QString &prefix)
{
    if (auto fresh = refresh(); !fresh)
        return fresh.error();
    QStringList out;
    const QJsonObject all = m_data.value(u"paths"_s).toObject();
    for (auto it = all.begin(); it != all.end(); ++it) {
        if (it.key().startsWith(prefix) && !currentKeys(it.key()).isEmpty())
            out.append(it.key());
    }
    return out;
}

Result<QStringList> LocalSecretStore::keys(const QString &path)
{
    if (auto fresh = refresh(); !fresh)
        return fresh.error();
    return currentKeys(path);
}

QStringList LocalSecretStore::currentKeys(const QString &path) const
{
    QStringList out;
    const QJsonObject keysOf = m_data.value(u"paths"_s).toObject().value(path).toObject();
    for (auto it = keysOf.begin(); it != keysOf.end(); ++it) {
        const QJsonArray history = it.value().toArray();
        if (!history.isEmpty() && !history.last().toObject().value(u"deleted"_s).toBool())
            out.append(it.key());
    }
    return out;
}

QList<SecretVersion> LocalSecretStore::history(const QString &path, const QString &key) const
{
    QList<SecretVersion> out;
    const QJsonArray history =
        m_data.value(u"paths"_s).toObject().value(path).toObject().value(key).toArray();
    for (const QJsonValue &v : history) {
        const QJsonObject o = v.toObject();
        out.append({o.value(u"v"_s).toInt(), o.value(u"value"_s).toString(),
                    QDateTime::fromString(o.value(u"at"_s).toString(), Qt::ISODateWithMs),
                    o.value(u"deleted"_s).toBool()});
    }
    return out;
}

Result<QList<SecretVersion>> LocalSecretStore::versions(const QString &path, const QString &key)
{
    if (auto fresh = refresh(); !fresh)
        return fresh.error();
    QList<SecretVersion> out = history(path, key);
    if (out.isEmpty())
        return Error{ErrorCode::NotFound, u"no secret %1#%2"_s.arg(path, key)};
    return out;
}

Result<QString> LocalSecretStore::get(const QString &path, const QString &key, int version)
{
    if (auto fresh = refresh(); !fresh)
        return fresh.error();
    const QList<SecretVersion> all = history(path, key);
    for (auto it = all.crbegin(); it != all.crend(); ++it) {
        if (version == 0 || it->version == version) {
            if (it->deleted)
                break;
            return it->value;
        }
    }
    return Error{ErrorCode::NotFound, version
                                          ? u"no version %1 of %2#%3"_s.arg(version).arg(path, key)
                                          : u"no secret %1#%2"_s.arg(path, key)};
}

Result<int> LocalSecretStore::put(const QString &path, const QString &key, const QString &value)
{
    return putAll(path, {{key, value}});
}

Result<int> LocalSecretStore::putAll(const QString &path, const QMap<QString, QString> &values)
{
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        if (auto named = checkNames(path, it.key()); !named)
            return named.error();
    }
    int written = 0;
    auto done = update([&]() -> Result<void> {
        QJsonObject all = m_data.value(u"paths"_s).toObject();
        QJsonObject keysOf = all.value(path).toObject();
        const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
        for (auto it = values.cbegin(); it != values.cend(); ++it) {
            QJsonArray history = keysOf.value(it.key()).toArray();
            written = history.isEmpty() ? 1 : history.last().toObject().value(u"v"_s).toInt() + 1;
            history.append(
                QJsonObject{{u"v"_s, written}, {u"value"_s, it.value()}, {u"at"_s, now}});
            while (history.size() > KeepVersions)
                history.removeFirst();
            keysOf.insert(it.key(), history);
        }
        all.insert(path, keysOf);
        m_data.insert(u"paths"_s, all);
        return {};
    });
    if (!done)
        return done.error();
    return written;
}

Result<void> LocalSecretStore::remove(const QString &path, const QString &key)
{
    return update([&]() -> Result<void> {
        if (!currentKeys(path).contains(key))
            return Error{ErrorCode::NotFound, u"no secret %1#%2"_s.arg(path, key)};
        QJsonObject all = m_data.value(u"paths"_s).toObject();
        QJsonObject keysOf = all.value(path).toObject();
        QJsonArray history = keysOf.value(key).toArray();
        history.append(
            QJsonObject{{u"v"_s, history.last().toObject().value(u"v"_s).toInt() + 1},
                        {u"deleted"_s, true},
                        {u"at"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)}});
        keysOf.insert(key, history);
        all.insert(path, keysOf);
        m_data.insert(u"paths"_s, all);
        return {};
    });
}

} // namespace Portoser
