// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/ServiceState.h"
#include "core/registry/Registry.h"

#include <QDateTime>
#include <QJsonObject>
#include <QObject>

namespace Portoser {

/**
 * What the coordinator last observed of every host and service, so status is answered from
 * memory (no SSH on the request path). Fed by the watchdog's passes and by any observation an
 * API call makes; the JSON of the service list is built once per change.
 */
class StatusCache : public QObject
{
    Q_OBJECT

public:
    explicit StatusCache(QObject *parent = nullptr);

    void setRegistry(const Registry &registry);
    void update(const QList<HostState> &hosts);
    void update(const QMap<QString, ServiceState> &services);

    /** Service name → last observed state (services never observed are missing). */
    QMap<QString, ServiceState> services() const { return m_services; }
    /** Host name → its last observation (without its services). */
    QMap<QString, HostState> hosts() const { return m_hosts; }
    /** The body of GET /api/v1/services. */
    QByteArray servicesJson();
    QByteArray hostsJson();
    /** One service with its registry settings and last state, or an empty object. */
    QJsonObject service(const QString &name) const;

signals:
    /** A service's state or health differs from the previous observation. */
    void changed(const QJsonObject &service, const QString &fromState, const QString &fromHealth);

private:
    void updateOne(const ServiceState &state, const QDateTime &at);
    QJsonObject serviceJson(const Service &service) const;

    Registry m_registry;
    QMap<QString, ServiceState> m_services;
    QMap<QString, QDateTime> m_observedAt;
    QMap<QString, HostState> m_hosts;
    QMap<QString, QDateTime> m_hostObservedAt;
    QByteArray m_servicesJson;
    QByteArray m_hostsJson;
};

} // namespace Portoser
