// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/HostPool.h"

#include <QMutexLocker>

namespace Portoser {

std::shared_ptr<HostPool> HostPool::shared(const TransportSettings &settings)
{
    static QMutex mutex;
    static std::map<std::pair<int, qint64>, std::weak_ptr<HostPool>> pools;
    const QMutexLocker lock(&mutex);
    const std::pair key{int(settings.hostKeyPolicy), qint64(settings.connectTimeout.count())};
    auto &slot = pools[key];
    std::shared_ptr<HostPool> pool = slot.lock();
    if (!pool) {
        pool = std::make_shared<HostPool>(settings);
        slot = pool;
    }
    return pool;
}

namespace {

/** Whether a session made for `a` is one for `b`: the same place, login and trust. */
bool sameConnection(const Host &a, const Host &b)
{
    return a.address() == b.address() && a.sshPort == b.sshPort && a.sshUser == b.sshUser
           && a.isLocal() == b.isLocal() && a.sshKey == b.sshKey && a.knownHosts == b.knownHosts;
}

} // namespace

HostWorker &HostPool::worker(const Host &host)
{
    const QMutexLocker lock(&m_mutex);
    auto &slot = m_workers[host.name];
    if (slot && !sameConnection(slot->host(), host))
        m_retired.push_back(std::move(slot)); // another thread may be using it right now
    if (!slot)
        slot = std::make_unique<HostWorker>(host, m_settings);
    return *slot;
}

} // namespace Portoser
