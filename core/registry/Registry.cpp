// SPDX-License-Identifier: Apache-2.0
#include "core/registry/Registry.h"

namespace Portoser {

const Host *Registry::host(const QString &name) const
{
    const auto it = hosts.constFind(name);
    return it == hosts.cend() ? nullptr : &*it;
}

const Service *Registry::service(const QString &name) const
{
    const auto it = services.constFind(name);
    return it == services.cend() ? nullptr : &*it;
}

QList<const Service *> Registry::servicesOn(const QString &hostName) const
{
    QList<const Service *> result;
    for (const Service &s : services) {
        if (s.currentHost == hostName)
            result.append(&s);
    }
    return result;
}

} // namespace Portoser
