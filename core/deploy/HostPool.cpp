// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/HostPool.h"

namespace Portoser {

HostWorker &HostPool::worker(const Host &host)
{
    auto &slot = m_workers[host.name];
    // A host whose settings changed (registry reloaded) gets a fresh worker and session.
    if (!slot || slot->host().address() != host.address() || slot->host().sshPort != host.sshPort
        || slot->host().sshUser != host.sshUser || slot->host().isLocal() != host.isLocal())
        slot = std::make_unique<HostWorker>(host, m_settings);
    return *slot;
}

} // namespace Portoser
