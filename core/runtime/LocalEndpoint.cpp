// SPDX-License-Identifier: Apache-2.0
#include "core/runtime/LocalEndpoint.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace Portoser::LocalEndpoint {

using namespace Qt::Literals::StringLiterals;

namespace {

// sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included.
constexpr qsizetype MaxSocketPath = 100;

Result<void> checkOwnedPrivateDirectory(const QString &dir)
{
    struct stat st = {};
    const QByteArray native = QFile::encodeName(dir);
    if (::lstat(native.constData(), &st) != 0)
        return Error{ErrorCode::NotFound,
                     u"%1: %2"_s.arg(dir, QString::fromLocal8Bit(std::strerror(errno)))};
    if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode))
        return Error{
            ErrorCode::PermissionDenied,
            u"%1 is not a plain directory (a symlink?): the local socket is not used"_s.arg(dir)};
    if (st.st_uid != ::geteuid())
        return Error{
            ErrorCode::PermissionDenied,
            u"%1 belongs to uid %2, not to this user: the local socket is not used"_s.arg(dir).arg(
                st.st_uid)};
    if ((st.st_mode & 077) != 0)
        return Error{
            ErrorCode::PermissionDenied,
            u"%1 is open to other users (mode %2): the local socket is not used"_s.arg(dir).arg(
                st.st_mode & 0777, 3, 8, QLatin1Char('0'))};
    return {};
}

} // namespace

QString socketPath(const QString &registryPath)
{
    const QFileInfo info(registryPath);
    const QString canonical =
        info.canonicalFilePath().isEmpty() ? info.absoluteFilePath() : info.canonicalFilePath();
    const QString name = u"serve-%1.sock"_s.arg(QString::fromLatin1(
        QCryptographicHash::hash(canonical.toUtf8(), QCryptographicHash::Sha256).toHex().left(16)));
    const QString home = qEnvironmentVariable("PORTOSER_HOME", QDir::homePath() + u"/.portoser"_s);
    const QString preferred = home + u"/run/"_s + name;
    if (preferred.toUtf8().size() < MaxSocketPath)
        return preferred;
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty()) {
        const QString there = runtime + u"/portoser/"_s + name;
        if (there.toUtf8().size() < MaxSocketPath)
            return there;
    }
    return u"/tmp/portoser-%1/%2"_s.arg(::geteuid()).arg(name);
}

Result<void> prepareDirectory(const QString &socketPath)
{
    const QString dir = QFileInfo(socketPath).absolutePath();
    QDir().mkpath(QFileInfo(dir).absolutePath());
    const QByteArray native = QFile::encodeName(dir);
    if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST)
        return Error{ErrorCode::Failed, u"cannot make %1 for the local socket: %2"_s.arg(
                                            dir, QString::fromLocal8Bit(std::strerror(errno)))};
    // An existing directory of ours that others may read is closed, through the directory itself
    // (never a link: O_NOFOLLOW), before it is checked.
    const int fd = ::open(native.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd >= 0) {
        struct stat st = {};
        if (::fstat(fd, &st) == 0 && st.st_uid == ::geteuid() && (st.st_mode & 077) != 0)
            (void)::fchmod(fd, 0700);
        ::close(fd);
    }
    return checkOwnedPrivateDirectory(dir);
}

Result<void> checkDirectory(const QString &socketPath)
{
    return checkOwnedPrivateDirectory(QFileInfo(socketPath).absolutePath());
}

qint64 peerUid(qintptr descriptor)
{
#if defined(__APPLE__)
    uid_t uid = 0;
    gid_t gid = 0;
    if (::getpeereid(int(descriptor), &uid, &gid) == 0)
        return uid;
#else
    struct ucred credentials = {};
    socklen_t size = sizeof credentials;
    if (::getsockopt(int(descriptor), SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0)
        return credentials.uid;
#endif
    return -1;
}

bool trusted(qint64 uid)
{
    return uid >= 0 && (uid == qint64(::geteuid()) || uid == 0);
}

} // namespace Portoser::LocalEndpoint
