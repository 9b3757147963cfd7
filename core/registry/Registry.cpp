// SPDX-License-Identifier: Apache-2.0
#include "core/registry/Registry.h"

namespace Portoser {

const QStringList &NotificationChannel::eventNames()
{
    static const QStringList names = {QStringLiteral("down"),
                                      QStringLiteral("recovered"),
                                      QStringLiteral("given_up"),
                                      QStringLiteral("deploy_failed"),
                                      QStringLiteral("host_unreachable"),
                                      QStringLiteral("cert_expiring")};
    return names;
}

const QStringList &NotificationChannel::typeNames()
{
    static const QStringList names = {QStringLiteral("webhook"), QStringLiteral("ntfy"),
                                      QStringLiteral("slack"), QStringLiteral("email")};
    return names;
}

using namespace Qt::Literals::StringLiterals;

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

QString Registry::unknownService(const QString &name) const
{
    return path.isEmpty() ? u"no service named \"%1\" in the registry"_s.arg(name)
                          : u"no service named \"%1\" in %2"_s.arg(name, path);
}

Error Registry::unknownServiceError(const QString &name) const
{
    return Error{ErrorCode::NotFound, unknownService(name)};
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

QList<const Service *> Registry::servicesOnMachineOf(const QString &hostName) const
{
    const Host *target = host(hostName);
    QList<const Service *> result;
    for (const Service &s : services) {
        const Host *h = host(s.currentHost);
        const bool sameMachine =
            s.currentHost == hostName
            || (target && h && !target->address().isEmpty()
                && h->address().compare(target->address(), Qt::CaseInsensitive) == 0);
        if (sameMachine)
            result.append(&s);
    }
    return result;
}

} // namespace Portoser
