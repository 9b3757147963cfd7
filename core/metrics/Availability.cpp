// SPDX-License-Identifier: Apache-2.0
#include "core/metrics/Availability.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <optional>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

struct Outage
{
    qint64 from = 0;
    qint64 to = 0; // now while it lasts
    bool ended = false;
};

double uptimeWithin(const QList<Outage> &outages, qint64 now, qint64 seconds)
{
    const qint64 start = now - seconds;
    qint64 down = 0;
    for (const Outage &o : outages)
        down += std::max<qint64>(0, std::min(o.to, now) - std::max(o.from, start));
    const double pct = 100.0 * double(seconds - down) / double(seconds);
    return std::round(pct * 1000.0) / 1000.0; // 0.001 % is 2.6 s in 30 days
}

} // namespace

Availability Availability::from(const QList<HealEvent> &newestFirst, qint64 now)
{
    QList<Outage> outages;
    std::optional<qint64> downSince;
    for (auto it = newestFirst.crbegin(); it != newestFirst.crend(); ++it) {
        const qint64 at = it->at.toSecsSinceEpoch();
        if (it->kind == HealEvent::Kind::Down && !downSince)
            downSince = at;
        else if (it->kind == HealEvent::Kind::Recovered && downSince) {
            outages.append({*downSince, at, true});
            downSince.reset();
        }
    }
    Availability a;
    if (downSince) {
        outages.append({*downSince, now, false});
        a.downNow = true;
    }
    a.uptimePct24h = uptimeWithin(outages, now, 86400);
    a.uptimePct7d = uptimeWithin(outages, now, 7 * 86400);
    a.uptimePct30d = uptimeWithin(outages, now, 30 * 86400);
    qint64 repaired = 0;
    int ended = 0;
    for (const Outage &o : outages) {
        if (o.to <= now - 30 * 86400)
            continue;
        ++a.outages30d;
        if (o.ended) {
            repaired += o.to - o.from;
            ++ended;
        }
    }
    a.mttrSeconds = ended ? repaired / ended : -1;
    return a;
}

QJsonObject toJson(const Availability &a)
{
    return {{u"uptime_pct_24h"_s, a.uptimePct24h}, {u"uptime_pct_7d"_s, a.uptimePct7d},
            {u"uptime_pct_30d"_s, a.uptimePct30d}, {u"mttr_seconds"_s, a.mttrSeconds},
            {u"outages_30d"_s, a.outages30d},      {u"down_now"_s, a.downNow}};
}

QJsonObject toJson(const MetricsReport &report)
{
    QJsonArray series;
    for (const MetricSeries &s : report.series)
        series.append(toJson(s));
    QJsonObject o{
        {toString(report.subject), report.name}, {u"since"_s, report.since}, {u"series"_s, series}};
    if (report.availability)
        o.insert(u"availability"_s, toJson(*report.availability));
    return o;
}

} // namespace Portoser
