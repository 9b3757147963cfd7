// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/ServiceLock.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QThread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace Portoser {

namespace {
/** Locks this thread holds, by service: a deploy that holds a service's lock may run steps (a
 *  heal before the deploy) that ask for it again; a second flock in one process would wait for
 *  itself. Other threads (two API calls) still exclude each other. */
thread_local QHash<QString, int> heldHere;
} // namespace

QString ServiceLock::directory()
{
    const QString env = qEnvironmentVariable("PORTOSER_HOME");
    return QDir(env.isEmpty() ? QDir::home().filePath(QStringLiteral(".portoser")) : env)
        .filePath(QStringLiteral("locks"));
}

Result<std::unique_ptr<ServiceLock>>
ServiceLock::acquire(const QString &service, const QString &purpose, std::chrono::milliseconds wait)
{
    if (int &depth = heldHere[service]; depth > 0) {
        ++depth;
        return std::unique_ptr<ServiceLock>(new ServiceLock(-1, service));
    }
    QDir().mkpath(directory());
    const QString path = QDir(directory()).filePath(service + QStringLiteral(".lock"));
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error{ErrorCode::Failed, QStringLiteral("cannot open lock file %1").arg(path)};
    QElapsedTimer clock;
    clock.start();
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (clock.elapsed() >= wait.count()) {
            QFile holder(path);
            QString who = QStringLiteral("another Portoser process");
            if (holder.open(QIODevice::ReadOnly))
                who = QString::fromUtf8(holder.readAll()).trimmed();
            ::close(fd);
            return Error{
                ErrorCode::Conflict,
                QStringLiteral("service %1 is locked by %2; try again when it has finished")
                    .arg(service, who)};
        }
        QThread::msleep(50);
    }
    const QByteArray holder =
        QStringLiteral("pid %1 (%2) since %3")
            .arg(::getpid())
            .arg(purpose, QDateTime::currentDateTimeUtc().toString(Qt::ISODate))
            .toUtf8();
    if (::ftruncate(fd, 0) == 0) [[maybe_unused]]
        auto written = ::pwrite(fd, holder.constData(), size_t(holder.size()), 0);
    heldHere[service] = 1;
    return std::unique_ptr<ServiceLock>(new ServiceLock(fd, service));
}

ServiceLock::~ServiceLock()
{
    if (--heldHere[m_service] <= 0)
        heldHere.remove(m_service);
    if (m_fd >= 0) {
        [[maybe_unused]] auto truncated = ::ftruncate(m_fd, 0);
        ::flock(m_fd, LOCK_UN);
        ::close(m_fd);
    }
}

} // namespace Portoser
