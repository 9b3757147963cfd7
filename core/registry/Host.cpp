// SPDX-License-Identifier: Apache-2.0
#include "core/registry/Host.h"

#include <QHostAddress>

namespace Portoser {

bool Host::isLocal() const
{
    if (transportExplicit)
        return transport == TransportKind::Local;
    const QString addr = address();
    if (addr == u"localhost")
        return true;
    const QHostAddress parsed(addr);
    return !parsed.isNull() && parsed.isLoopback();
}

} // namespace Portoser
