// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QString>

#include <chrono>
#include <memory>

namespace Portoser {

/**
 * The coordinator-side lock of one service: an flock(2)ed file under ~/.portoser/locks/ that
 * also names its holder (pid, time, what it does). The kernel drops the lock when the holder
 * dies, so a crashed coordinator never leaves it stuck.
 */
class ServiceLock
{
public:
    /** Waits up to `wait` for the lock; fails naming the holder when it stays taken. A thread
     *  that already holds it gets it again at once (released when the outer holder releases). */
    static Result<std::unique_ptr<ServiceLock>>
    acquire(const QString &service, const QString &purpose, std::chrono::milliseconds wait);
    static QString directory();
    ~ServiceLock();
    Q_DISABLE_COPY_MOVE(ServiceLock)

private:
    ServiceLock(int fd, QString service)
        : m_fd(fd)
        , m_service(std::move(service))
    {}
    int m_fd = -1; // -1: the thread already held it (a nested acquire)
    QString m_service;
};

} // namespace Portoser
