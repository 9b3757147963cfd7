// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/HostPool.h"

#include <QMutexLocker>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

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

/** What a session is made for: a host's name and where, as whom and with which trust it connects.
 *  Two definitions of one name (a reloaded registry, a task still holding the old one) each get
 *  their own worker, so neither takes the other's away. */
QString connectionKey(const Host &host)
{
    return QStringList{host.name,
                       host.address(),
                       QString::number(host.sshPort),
                       host.sshUser,
                       host.isLocal() ? u"local"_s : u"ssh"_s,
                       host.sshKey,
                       host.knownHosts}
        .join(u'\n');
}

} // namespace

HostWorker &HostPool::worker(const Host &host)
{
    const QMutexLocker lock(&m_mutex);
    auto &slot = m_workers[connectionKey(host)];
    if (!slot)
        slot = std::make_unique<HostWorker>(host, m_settings);
    return *slot;
}

} // namespace Portoser
