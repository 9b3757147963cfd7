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
    /** Waits up to `wait` for the lock; fails naming the holder when it stays taken. */
    static Result<std::unique_ptr<ServiceLock>>
    acquire(const QString &service, const QString &purpose, std::chrono::milliseconds wait);
    static QString directory();
    ~ServiceLock();
    Q_DISABLE_COPY_MOVE(ServiceLock)

private:
    explicit ServiceLock(int fd)
        : m_fd(fd)
    {}
    int m_fd = -1;
};

} // namespace Portoser
