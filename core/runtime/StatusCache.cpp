// SPDX-License-Identifier: Apache-2.0
#include "core/runtime/StatusCache.h"

#include "core/deploy/StateJson.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

StatusCache::StatusCache(QObject *parent)
    : QObject(parent)
{}

void StatusCache::setRegistry(const Registry &registry)
{
    m_registry = registry;
    m_servicesJson.clear();
    m_hostsJson.clear();
}

void StatusCache::update(const QList<HostState> &hosts)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const HostState &h : hosts) {
        HostState copy = h;
        copy.services.clear();
        m_hosts.insert(h.host, copy);
        m_hostObservedAt.insert(h.host, now);
        for (const ServiceState &s : h.services)
            updateOne(s, now);
    }
    m_servicesJson.clear();
    m_hostsJson.clear();
}

void StatusCache::update(const QMap<QString, ServiceState> &services)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const ServiceState &s : services)
        updateOne(s, now);
    m_servicesJson.clear();
}

void StatusCache::updateOne(const ServiceState &state, const QDateTime &at)
{
    const auto previous = m_services.constFind(state.service);
    const bool known = previous != m_services.cend();
    const QString fromState = known ? previous->state : QString();
    const QString fromHealth = known ? previous->health : QString();
    m_services.insert(state.service, state);
    m_observedAt.insert(state.service, at);
    if (known && (fromState != state.state || fromHealth != state.health))
        emit changed(service(state.service), fromState, fromHealth);
}

QJsonObject StatusCache::serviceJson(const Service &s) const
{
    const auto state = m_services.constFind(s.name);
    QJsonObject o = serviceWithState(s, state == m_services.cend() ? nullptr : &*state);
    const QDateTime at = m_observedAt.value(s.name);
    o.insert(u"observed_at"_s,
             at.isValid() ? QJsonValue(at.toString(Qt::ISODateWithMs)) : QJsonValue());
    return o;
}

QJsonObject StatusCache::service(const QString &name) const
{
    const auto s = m_registry.services.constFind(name);
    return s == m_registry.services.cend() ? QJsonObject() : serviceJson(*s);
}

QByteArray StatusCache::servicesJson()
{
    if (m_servicesJson.isEmpty()) {
        QJsonArray items;
        for (const Service &s : m_registry.services)
            items.append(serviceJson(s));
        m_servicesJson =
            QJsonDocument(QJsonObject{{u"services"_s, items}}).toJson(QJsonDocument::Compact);
    }
    return m_servicesJson;
}

QByteArray StatusCache::hostsJson()
{
    if (m_hostsJson.isEmpty()) {
        QJsonArray items;
        for (const Host &h : m_registry.hosts) {
            QJsonObject o{{u"name"_s, h.name}, {u"address"_s, h.address()}};
            const auto state = m_hosts.constFind(h.name);
            if (state == m_hosts.cend()) {
                o.insert(u"reachable"_s, QJsonValue());
                o.insert(u"observed_at"_s, QJsonValue());
            } else {
                const QJsonObject observed = toJson(*state);
                for (auto it = observed.begin(); it != observed.end(); ++it) {
                    if (!o.contains(it.key()))
                        o.insert(it.key(), it.value());
                }
                o.insert(u"observed_at"_s,
                         m_hostObservedAt.value(h.name).toString(Qt::ISODateWithMs));
            }
            items.append(o);
        }
        m_hostsJson =
            QJsonDocument(QJsonObject{{u"hosts"_s, items}}).toJson(QJsonDocument::Compact);
    }
    return m_hostsJson;
}

} // namespace Portoser
