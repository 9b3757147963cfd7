// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/heal/HealStore.h"
#include "core/metrics/MetricsStore.h"

#include <QJsonObject>

#include <optional>

namespace Portoser {

/**
 * A service's uptime and mean time to recovery, from the healer's real `down` and `recovered`
 * events: an outage runs from a `down` to the `recovered` that ends it (or to now). A window the
 * service has no events in counts as up.
 */
struct Availability
{
    double uptimePct24h = 100;
    double uptimePct7d = 100;
    double uptimePct30d = 100;
    qint64 mttrSeconds = -1; // mean of the outages that ended in the last 30 days; -1: none
    int outages30d = 0;      // outages overlapping the last 30 days
    bool downNow = false;

    /** From the service's events, newest first (as HealStore::events gives them); now in epoch
     *  seconds. */
    static Availability from(const QList<HealEvent> &newestFirst, qint64 now);
};

QJsonObject toJson(const Availability &availability);

/** What `metrics`, GET /api/v1/metrics/{name} and the MCP tool answer: one host's or service's
 *  series since a time, and a service's availability. */
struct MetricsReport
{
    MetricSubject subject = MetricSubject::Host;
    QString name;
    qint64 since = 0; // epoch seconds
    QList<MetricSeries> series;
    std::optional<Availability> availability; // services only
};

QJsonObject toJson(const MetricsReport &report);

} // namespace Portoser
