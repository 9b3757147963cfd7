// SPDX-License-Identifier: Apache-2.0
#include "core/history/HistoryStore.h"

#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <cerrno>
#include <csignal>

#include <unistd.h>

namespace Portoser {

namespace {

using namespace Qt::Literals::StringLiterals;

QJsonArray stepsToJson(const QList<StepRecord> &steps)
{
    QJsonArray a;
    for (const StepRecord &s : steps)
        a.append(QJsonObject{{u"name"_s, s.name},
                             {u"duration_ms"_s, s.durationMs},
                             {u"ok"_s, s.ok},
                             {u"output"_s, s.output}});
    return a;
}

QList<StepRecord> stepsFromJson(const QByteArray &json)
{
    QList<StepRecord> steps;
    for (const QJsonValue &v : QJsonDocument::fromJson(json).array()) {
        const QJsonObject o = v.toObject();
        steps.append({o.value(u"name"_s).toString(), qint64(o.value(u"duration_ms"_s).toDouble()),
                      o.value(u"ok"_s).toBool(), o.value(u"output"_s).toString()});
    }
    return steps;
}

const QString Columns =
    u"id, service, host, from_host, action, actor, started_at, ended_at, outcome, reason, "
    "release_id, previous_release_id, config, steps"_s;

DeploymentRecord fromQuery(const QSqlQuery &q)
{
    DeploymentRecord r;
    r.id = q.value(0).toLongLong();
    r.service = q.value(1).toString();
    r.host = q.value(2).toString();
    r.fromHost = q.value(3).toString();
    // A name this version does not know (a newer coordinator's) reads as the nearest it does.
    r.action = recordActionFromString(q.value(4).toString()).value_or(RecordAction::Deploy);
    r.actor = q.value(5).toString();
    r.startedAt = QDateTime::fromString(q.value(6).toString(), Qt::ISODateWithMs);
    r.endedAt = QDateTime::fromString(q.value(7).toString(), Qt::ISODateWithMs);
    r.outcome = outcomeFromString(q.value(8).toString()).value_or(Outcome::Failed);
    r.reason = q.value(9).toString();
    r.releaseId = q.value(10).toString();
    r.previousReleaseId = q.value(11).toString();
    r.config = QJsonDocument::fromJson(q.value(12).toByteArray()).object();
    r.steps = stepsFromJson(q.value(13).toByteArray());
    return r;
}

/** SQLite stores a null QString as NULL; our columns want '' for "none". */
QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(u""_s) : QVariant(value);
}

QString isoNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

} // namespace

HistoryStore::HistoryStore(std::unique_ptr<Database> database)
    : m_database(std::move(database))
    , m_connection(m_database->connectionName())
{}

HistoryStore::~HistoryStore() = default;

Result<std::unique_ptr<HistoryStore>> HistoryStore::open(const QString &location)
{
    auto database = Database::open(location);
    if (!database)
        return database.error();
    std::unique_ptr<HistoryStore> store(new HistoryStore(std::move(*database)));
    store->markInterrupted();
    return store;
}

Result<void> HistoryStore::recordHostArch(const QString &host, const QString &arch)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"INSERT INTO host_facts (host, arch, seen_at) VALUES (?, ?, ?) ON CONFLICT (host) "
              "DO UPDATE SET arch = excluded.arch, seen_at = excluded.seen_at"_s);
    q.addBindValue(host);
    q.addBindValue(arch);
    q.addBindValue(isoNow());
    if (!q.exec())
        return Database::sqlError(u"cannot remember the arch of %1"_s.arg(host), q.lastError());
    return {};
}

QString HistoryStore::hostArch(const QString &host) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"SELECT arch FROM host_facts WHERE host = ?"_s);
    q.addBindValue(host);
    return q.exec() && q.next() ? q.value(0).toString() : QString();
}

/** The same schema in PostgreSQL's words: serial keys, 64-bit integers. */

void HistoryStore::markInterrupted()
{
    // A record still "running" whose coordinator process on this machine is gone was cut short.
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    QSqlQuery q(db);
    q.prepare(
        u"SELECT id, coordinator_pid FROM deployments WHERE outcome = 'running' AND coordinator_host = ?"_s);
    q.addBindValue(QHostInfo::localHostName());
    if (!q.exec())
        return;
    QList<qint64> dead;
    while (q.next()) {
        const auto pid = pid_t(q.value(1).toLongLong());
        if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH))
            dead.append(q.value(0).toLongLong());
    }
    for (qint64 id : dead) {
        QSqlQuery u(db);
        u.prepare(u"UPDATE deployments SET outcome = 'interrupted', ended_at = ?, "
                  "reason = 'the coordinator stopped before this finished' WHERE id = ?"_s);
        u.addBindValue(isoNow());
        u.addBindValue(id);
        u.exec();
    }
}

Result<void> HistoryStore::begin(DeploymentRecord &r)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(
        u"INSERT INTO deployments (service, host, from_host, action, actor, started_at, outcome, "
        u"release_id, "
        "previous_release_id, config, coordinator_host, coordinator_pid) VALUES "
        "(?,?,?,?,?,?,?,?,?,?,?,?) "
        "RETURNING id"_s);
    if (!r.startedAt.isValid())
        r.startedAt = QDateTime::currentDateTimeUtc();
    r.outcome = Outcome::Running;
    for (const QVariant &v :
         {text(r.service), text(r.host), text(r.fromHost), text(toString(r.action)), text(r.actor),
          QVariant(r.startedAt.toUTC().toString(Qt::ISODateWithMs)), text(toString(r.outcome)),
          text(r.releaseId), text(r.previousReleaseId),
          QVariant(QString::fromUtf8(QJsonDocument(r.config).toJson(QJsonDocument::Compact))),
          QVariant(QHostInfo::localHostName()), QVariant(qint64(::getpid()))})
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        return Database::sqlError(u"cannot record the start of a deploy"_s, q.lastError());
    r.id = q.value(0).toLongLong();
    return {};
}

Result<void> HistoryStore::finish(const DeploymentRecord &r)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"UPDATE deployments SET ended_at = ?, outcome = ?, reason = ?, release_id = ?, "
              u"previous_release_id = ?, config = ?, "
              "steps = ? WHERE id = ?"_s);
    q.addBindValue((r.endedAt.isValid() ? r.endedAt : QDateTime::currentDateTimeUtc())
                       .toUTC()
                       .toString(Qt::ISODateWithMs));
    q.addBindValue(text(toString(r.outcome)));
    q.addBindValue(text(r.reason));
    q.addBindValue(text(r.releaseId));
    q.addBindValue(text(r.previousReleaseId));
    // What only the end knows joins the config (docker: the image IDs the release runs).
    q.addBindValue(QString::fromUtf8(QJsonDocument(r.config).toJson(QJsonDocument::Compact)));
    q.addBindValue(
        QString::fromUtf8(QJsonDocument(stepsToJson(r.steps)).toJson(QJsonDocument::Compact)));
    q.addBindValue(r.id);
    if (!q.exec())
        return Database::sqlError(u"cannot record the end of deploy %1"_s.arg(r.id), q.lastError());
    return {};
}

Result<QList<DeploymentRecord>> HistoryStore::list(const HistoryQuery &query) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"SELECT %1 FROM deployments WHERE (? = '' OR service = ?) AND (? = '' OR host = ?) "
              "AND (? = '' OR outcome = ?) AND (? = 0 OR id < ?) "
              "ORDER BY id DESC LIMIT ? OFFSET ?"_s.arg(Columns));
    for (const QString &filter : {query.service, query.host, query.outcome}) {
        q.addBindValue(text(filter));
        q.addBindValue(text(filter));
    }
    q.addBindValue(query.beforeId);
    q.addBindValue(query.beforeId);
    q.addBindValue(query.limit);
    q.addBindValue(query.offset);
    if (!q.exec())
        return Database::sqlError(u"cannot read history"_s, q.lastError());
    QList<DeploymentRecord> records;
    while (q.next())
        records.append(fromQuery(q));
    return records;
}

Result<DeploymentRecord> HistoryStore::get(qint64 id) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"SELECT %1 FROM deployments WHERE id = ?"_s.arg(Columns));
    q.addBindValue(id);
    if (!q.exec())
        return Database::sqlError(u"cannot read history"_s, q.lastError());
    if (!q.next())
        return Error{ErrorCode::NotFound, u"no deployment record %1"_s.arg(id)};
    return fromQuery(q);
}

Result<std::optional<DeploymentRecord>> HistoryStore::lastSucceeded(const QString &service) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(
        u"SELECT %1 FROM deployments WHERE service = ? AND outcome = 'succeeded' "
        "AND action IN ('deploy', 'move', 'restart', 'rollback') ORDER BY id DESC LIMIT 1"_s.arg(
            Columns));
    q.addBindValue(service);
    if (!q.exec())
        return Database::sqlError(u"cannot read history"_s, q.lastError());
    if (!q.next())
        return std::optional<DeploymentRecord>();
    return std::optional<DeploymentRecord>(fromQuery(q));
}

} // namespace Portoser
