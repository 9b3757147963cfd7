// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/deploy/ServiceState.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Portoser {

/** One point of a series: a raw sample (count 1), or a 5-minute aggregate. */
struct MetricPoint
{
    qint64 at = 0;    // epoch seconds; an aggregate's bucket start
    double value = 0; // the sample, or the bucket's mean
    double min = 0;
    double max = 0;
    int count = 1;
};

/** One named series of a host or service ("load1", "up", …), oldest point first. */
struct MetricSeries
{
    QString name;
    QList<MetricPoint> points;
};

/** How long the store keeps what: raw samples, then 5-minute aggregates. */
struct MetricsRetention
{
    int rawHours = 24;
    int aggregateDays = 30;
    static constexpr int BucketSeconds = 300;
};

enum class MetricSubject {
    Host,
    Service
};

/**
 * The watchdog's observations as time series in the coordinator's database: per host its load,
 * memory, swap, disk and inodes of the base path and the SSH round trip; per service whether it
 * was up, its restarts. Raw at the observation interval, rolled into 5-minute aggregates as they
 * age past the raw retention, pruned past the aggregate retention (prune()).
 */
class MetricsStore
{
public:
    explicit MetricsStore(QString connection);

    /** Stores one observation of these hosts and their services, taken at `at`. */
    Result<void> record(const QList<HostState> &hosts, qint64 at);
    /** Rolls raw samples older than the raw retention into aggregates, then drops aggregates
     *  older than theirs. Returns how many raw samples it rolled up. */
    Result<int> prune(qint64 now, const MetricsRetention &retention);
    /** Every series of one host or service from `since` on (epoch seconds): aggregates for the
     *  span only they still cover, then the raw samples. */
    Result<QList<MetricSeries>> read(MetricSubject subject, const QString &name,
                                     qint64 since) const;
    /** The names of the hosts and services it has samples of. */
    Result<QStringList> subjects(MetricSubject subject) const;

private:
    QString m_connection;
};

QJsonObject toJson(const MetricSeries &series);
QString toString(MetricSubject subject);

/** Seconds from "90", "90s", "15m", "1h", "7d"; nothing for anything else or past 400 days. */
std::optional<qint64> parseSinceSeconds(const QString &text);

} // namespace Portoser
