// SPDX-License-Identifier: Apache-2.0
#include "core/metrics/MetricsStore.h"

#include "core/registry/FieldRules.h"

#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <functional>
#include <map>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

Error sqlError(const QString &what, const QSqlQuery &q)
{
    return Error{ErrorCode::Failed, u"metrics database: %1: %2"_s.arg(what, q.lastError().text())};
}

/** Runs `query` (prepared and bound), or says what could not be done. */
Result<void> run(QSqlQuery &query, const QString &what)
{
    if (query.exec())
        return {};
    return sqlError(what, query);
}

/** `work` in one transaction: committed when it succeeds, rolled back when it fails. */
template <typename T>
Result<T> inTransaction(const QString &connection,
                        const std::function<Result<T>(QSqlDatabase &)> &work)
{
    QSqlDatabase db = QSqlDatabase::database(connection);
    db.transaction();
    Result<T> done = work(db);
    if (!done) {
        db.rollback();
        return done;
    }
    if (!db.commit())
        return Error{ErrorCode::Failed,
                     u"metrics database: cannot commit: %1"_s.arg(db.lastError().text())};
    return done;
}

struct Sample
{
    QString kind;
    QString subject;
    QString name;
    double value;
};

/** What one observation says, as samples; unknown figures (-1) are left out. */
QList<Sample> samplesOf(const QList<HostState> &hosts)
{
    QList<Sample> out;
    const QString host = toString(MetricSubject::Host), service = toString(MetricSubject::Service);
    for (const HostState &h : hosts) {
        out.append({host, h.host, u"reachable"_s, h.reachable ? 1.0 : 0.0});
        if (!h.reachable)
            continue;
        out.append({host, h.host, u"ssh_ms"_s, double(h.roundTripMs)});
        if (h.load1 >= 0)
            out.append({host, h.host, u"load1"_s, h.load1});
        if (h.memTotalKb > 0 && h.memAvailKb >= 0)
            out.append({host, h.host, u"mem_used_pct"_s,
                        100.0 * double(h.memTotalKb - h.memAvailKb) / double(h.memTotalKb)});
        if (h.swapTotalKb > 0 && h.swapFreeKb >= 0)
            out.append({host, h.host, u"swap_used_pct"_s,
                        100.0 * double(h.swapTotalKb - h.swapFreeKb) / double(h.swapTotalKb)});
        if (h.diskUsedPct >= 0)
            out.append({host, h.host, u"disk_used_pct"_s, double(h.diskUsedPct)});
        if (h.inodeUsedPct >= 0)
            out.append({host, h.host, u"inode_used_pct"_s, double(h.inodeUsedPct)});
        for (const ServiceState &s : h.services) {
            if (s.state == u"not_deployed"_s)
                continue;
            out.append({service, s.service, u"up"_s, s.isWell() ? 1.0 : 0.0});
            out.append({service, s.service, u"starts"_s, double(s.starts)});
        }
    }
    return out;
}

} // namespace

std::optional<qint64> parseSinceSeconds(const QString &text)
{
    const auto seconds = FieldRules::parseDuration(text, 400 * 86400);
    return seconds && *seconds > 0 ? seconds : std::nullopt;
}

QString toString(MetricSubject subject)
{
    return subject == MetricSubject::Host ? u"host"_s : u"service"_s;
}

QJsonObject toJson(const MetricSeries &series)
{
    QJsonArray points;
    for (const MetricPoint &p : series.points) {
        QJsonArray point{p.at, p.value};
        if (p.count > 1 || p.min != p.value || p.max != p.value)
            point += QJsonArray{p.min, p.max, p.count};
        points.append(point);
    }
    return {{u"name"_s, series.name}, {u"points"_s, points}};
}

MetricsStore::MetricsStore(QString connection)
    : m_connection(std::move(connection))
{}

Result<void> MetricsStore::record(const QList<HostState> &hosts, qint64 at)
{
    const QList<Sample> samples = samplesOf(hosts);
    if (samples.isEmpty())
        return {};
    // One transaction for the whole observation: one commit, however many hosts.
    return inTransaction<void>(m_connection, [&](QSqlDatabase &db) -> Result<void> {
        QSqlQuery q(db);
        q.prepare(u"INSERT INTO metric_samples (at, kind, subject, name, value) "
                  "VALUES (?, ?, ?, ?, ?)"_s);
        for (const Sample &s : samples) {
            for (const QVariant &v : {QVariant(at), QVariant(s.kind), QVariant(s.subject),
                                      QVariant(s.name), QVariant(s.value)})
                q.addBindValue(v);
            if (auto stored = run(q, u"cannot store a sample"_s); !stored)
                return stored;
        }
        return {};
    });
}

Result<int> MetricsStore::prune(qint64 now, const MetricsRetention &retention)
{
    const qint64 bucket = MetricsRetention::BucketSeconds;
    // On a bucket boundary, so a bucket is rolled up whole, once.
    const qint64 rawCutoff = (now - qint64(retention.rawHours) * 3600) / bucket * bucket;
    const qint64 aggregateCutoff = now - qint64(retention.aggregateDays) * 86400;
    return inTransaction<int>(m_connection, [&](QSqlDatabase &db) -> Result<int> {
        QSqlQuery roll(db);
        roll.prepare(u"INSERT INTO metric_aggregates (bucket, kind, subject, name, min_value, "
                     "max_value, sum_value, count) SELECT bucket, kind, subject, name, "
                     "MIN(value), MAX(value), SUM(value), COUNT(*) FROM (SELECT (at / %1) * %1 "
                     "AS bucket, kind, subject, name, value FROM metric_samples WHERE at < ?) "
                     "AS old GROUP BY bucket, kind, subject, name"_s.arg(bucket));
        roll.addBindValue(rawCutoff);
        if (auto rolled = run(roll, u"cannot aggregate old samples"_s); !rolled)
            return rolled.error();
        QSqlQuery drop(db);
        drop.prepare(u"DELETE FROM metric_samples WHERE at < ?"_s);
        drop.addBindValue(rawCutoff);
        if (auto dropped = run(drop, u"cannot drop old samples"_s); !dropped)
            return dropped.error();
        const int rolled = drop.numRowsAffected(); // SQLite: of the connection's last statement
        QSqlQuery old(db);
        old.prepare(u"DELETE FROM metric_aggregates WHERE bucket < ?"_s);
        old.addBindValue(aggregateCutoff);
        if (auto aged = run(old, u"cannot drop old aggregates"_s); !aged)
            return aged.error();
        return rolled;
    });
}

Result<QList<MetricSeries>> MetricsStore::read(MetricSubject subject, const QString &name,
                                               qint64 since) const
{
    std::map<QString, MetricSeries> byName;
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"SELECT name, bucket, min_value, max_value, sum_value, count FROM metric_aggregates "
              "WHERE kind = ? AND subject = ? AND bucket >= ? ORDER BY bucket"_s);
    q.addBindValue(toString(subject));
    q.addBindValue(name);
    q.addBindValue(since / MetricsRetention::BucketSeconds * MetricsRetention::BucketSeconds);
    if (!q.exec())
        return sqlError(u"cannot read aggregates"_s, q);
    while (q.next()) {
        const qint64 at = q.value(1).toLongLong();
        const double min = q.value(2).toDouble(), max = q.value(3).toDouble();
        const double sum = q.value(4).toDouble();
        const int count = q.value(5).toInt();
        MetricSeries &series = byName[q.value(0).toString()];
        series.name = q.value(0).toString();
        // A bucket rolled up in two parts (samples that arrived late) is one point.
        if (!series.points.isEmpty() && series.points.last().at == at) {
            MetricPoint &p = series.points.last();
            const double total = p.value * p.count + sum;
            p.count += count;
            p.min = std::min(p.min, min);
            p.max = std::max(p.max, max);
            p.value = total / p.count;
        } else if (count > 0) {
            series.points.append({at, sum / count, min, max, count});
        }
    }
    QSqlQuery raw(QSqlDatabase::database(m_connection));
    raw.prepare(u"SELECT name, at, value FROM metric_samples WHERE kind = ? AND subject = ? "
                "AND at >= ? ORDER BY at"_s);
    raw.addBindValue(toString(subject));
    raw.addBindValue(name);
    raw.addBindValue(since);
    if (!raw.exec())
        return sqlError(u"cannot read samples"_s, raw);
    while (raw.next()) {
        const double v = raw.value(2).toDouble();
        MetricSeries &series = byName[raw.value(0).toString()];
        series.name = raw.value(0).toString();
        series.points.append({raw.value(1).toLongLong(), v, v, v, 1});
    }
    QList<MetricSeries> out;
    for (auto &[key, series] : byName)
        out.append(std::move(series));
    return out;
}

Result<QStringList> MetricsStore::subjects(MetricSubject subject) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"SELECT DISTINCT subject FROM metric_samples WHERE kind = ? UNION "
              "SELECT DISTINCT subject FROM metric_aggregates WHERE kind = ? ORDER BY 1"_s);
    q.addBindValue(toString(subject));
    q.addBindValue(toString(subject));
    if (!q.exec())
        return sqlError(u"cannot list subjects"_s, q);
    QStringList names;
    while (q.next())
        names.append(q.value(0).toString());
    return names;
}

} // namespace Portoser
