// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/HostPool.h"
#include "core/deploy/RemoteScripts.h"
#include "core/deploy/ServiceState.h"

#include <QMap>

namespace Portoser {

/** Asks the hosts how their services are: hosts in parallel, one round trip per host. */
class ServiceObserver
{
public:
    explicit ServiceObserver(HostPool &pool)
        : m_pool(pool)
    {}

    /** The state of each of `services`, by name. */
    QMap<QString, ServiceState> observe(const Registry &registry, const QStringList &services);
    /** Hosts with their own facts (disk, memory, listeners) and those of `services` on them;
     * `hosts` adds hosts that have none of them. */
    QList<HostState> observeHosts(const Registry &registry, const QStringList &services,
                                  const QStringList &hosts = {}, bool allPortHolders = false);
    /** `services` on `host` (which may differ from their current_host, for moves), one round trip.
     */
    static HostState observeOn(Transport &transport, const Host &host,
                               const QList<Service> &services,
                               const RemoteScripts::ObserveScope &scope = {});

private:
    QList<HostState> run(const Registry &registry, const QStringList &services,
                         const QStringList &hosts, const RemoteScripts::ObserveScope &scope);

    HostPool &m_pool;
};

} // namespace Portoser
