// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/ServiceObserver.h"

#include "core/deploy/RemoteScripts.h"

namespace Portoser {

using namespace std::chrono_literals;

QList<ServiceState> ServiceObserver::observeOn(Transport &transport, const Host &host,
                                               const QList<Service> &services)
{
    QList<RemoteScripts::StatusQuery> probes;
    for (const Service &s : services)
        probes.append({s.name, HealthProbe::forService(s), Runtime::forService(s)});
    const auto result = transport.run(RemoteScripts::status(host, probes), 60s);
    const auto sections = result
                              ? RemoteScripts::parseSections(result->out, QStringLiteral("service"))
                              : QMap<QString, QMap<QString, QString>>();
    QList<ServiceState> states;
    for (const Service &s : services) {
        ServiceState state;
        state.service = s.name;
        state.host = host.name;
        if (!result) {
            state.state = QStringLiteral("unreachable");
            state.error = result.error().message;
        } else {
            const auto kv = sections.value(s.name);
            state.state = kv.value(QStringLiteral("state"), QStringLiteral("unknown"));
            state.release = kv.value(QStringLiteral("current"));
            state.pid = kv.value(QStringLiteral("pid")).toLongLong();
            state.uptimeSeconds = kv.value(QStringLiteral("uptime")).toLongLong();
            state.health = kv.value(QStringLiteral("health"));
        }
        states.append(state);
    }
    return states;
}

QMap<QString, ServiceState> ServiceObserver::observe(const Registry &registry,
                                                     const QStringList &services)
{
    QMap<QString, QList<Service>> byHost;
    for (const QString &name : services) {
        const Service *s = registry.service(name);
        if (s && registry.host(s->currentHost))
            byHost[s->currentHost].append(*s);
    }
    QList<QFuture<QList<ServiceState>>> pending;
    for (auto it = byHost.cbegin(); it != byHost.cend(); ++it) {
        const Host host = *registry.host(it.key());
        const QList<Service> onHost = it.value();
        pending.append(m_pool.worker(host).submit<QList<ServiceState>>(
            [host, onHost](Transport &t) { return observeOn(t, host, onHost); }));
    }
    QMap<QString, ServiceState> states;
    for (auto &future : pending) {
        for (const ServiceState &state : future.result())
            states.insert(state.service, state);
    }
    return states;
}

} // namespace Portoser
