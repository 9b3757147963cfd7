// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

#include <array>
#include <utility>

namespace Portoser {

/** A gauge and its series: each a label set ({} or {host="h1",...}) and its value. */
struct GaugeFamily
{
    QString help;
    QList<std::pair<QMap<QString, QString>, double>> series;
    void add(double value, const QMap<QString, QString> &labels = {})
    {
        series.append({labels, value});
    }
};

/** Request counters and latencies of the API, rendered in the Prometheus text format. */
class Metrics
{
public:
    void recordRequest(const QString &route, const QByteArray &method, int status, double seconds);
    void recordHealEvent(const QString &kind) { ++m_healEvents[kind]; }
    /** Everything, plus the gauges passed in (by name, each with its help text; label values
     *  are escaped here). */
    QByteArray render(const QMap<QString, GaugeFamily> &gauges) const;

private:
    static constexpr std::array<double, 8> Buckets{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
    QMap<QString, quint64> m_requests; // "route|method|status"
    std::array<quint64, Buckets.size()> m_bucketCounts{};
    quint64 m_count = 0;
    double m_sum = 0;
    QMap<QString, quint64> m_healEvents;
};

} // namespace Portoser
