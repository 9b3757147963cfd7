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

QString archOf(const QString &os, const QString &machine)
{
    if (os.isEmpty() || machine.isEmpty())
        return {};
    const QString cpu =
        (machine == QStringLiteral("x86_64") || machine == QStringLiteral("amd64"))
            ? QStringLiteral("amd64")
        : (machine == QStringLiteral("aarch64") || machine == QStringLiteral("arm64"))
            ? QStringLiteral("arm64")
            : machine;
    const QString system = os == QStringLiteral("Darwin") ? QStringLiteral("apple") : os.toLower();
    return cpu + u'-' + system;
}

} // namespace Portoser
