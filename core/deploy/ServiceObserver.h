// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/HostPool.h"
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

    QMap<QString, ServiceState> observe(const Registry &registry, const QStringList &services);
    /** `services` on `host` (which may differ from their current_host, for moves), one round trip.
     */
    static QList<ServiceState> observeOn(Transport &transport, const Host &host,
                                         const QList<Service> &services);

private:
    HostPool &m_pool;
};

} // namespace Portoser
