// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/ServiceObserver.h"

#include "core/deploy/RemoteScripts.h"

namespace Portoser {

using namespace std::chrono_literals;

ServiceState ServiceObserver::observeOn(Transport &transport, const Host &host, const Service &service)
{
    ServiceState state;
    state.service = service.name;
    state.host = host.name;
    const auto result = transport.run(RemoteScripts::status(host, service.name, HealthProbe::forService(service)), 30s);
    if (!result) {
        state.state = QStringLiteral("unreachable");
        state.error = result.error().message;
        return state;
    }
    const auto kv = RemoteScripts::parseKeyValues(result->out);
    state.state = kv.value(QStringLiteral("state"), QStringLiteral("unknown"));
    state.release = kv.value(QStringLiteral("current"));
    state.pid = kv.value(QStringLiteral("pid")).toLongLong();
    state.uptimeSeconds = kv.value(QStringLiteral("uptime")).toLongLong();
    state.health = kv.value(QStringLiteral("health"));
    return state;
}

QMap<QString, ServiceState> ServiceObserver::observe(const Registry &registry, const QStringList &services)
{
    QList<QPair<QString, QFuture<ServiceState>>> pending;
    for (const QString &name : services) {
        const Service *s = registry.service(name);
        const Host *h = s ? registry.host(s->currentHost) : nullptr;
        if (!h)
            continue;
        const Service service = *s;
        const Host host = *h;
        pending.append({name, m_pool.worker(host).submit<ServiceState>(
                                  [service, host](Transport &t) { return observeOn(t, host, service); })});
    }
    QMap<QString, ServiceState> states;
    for (auto &[name, future] : pending)
        states.insert(name, future.result());
    return states;
}

} // namespace Portoser
