// SPDX-License-Identifier: Apache-2.0
#include "core/history/HistoryStore.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFileInfo>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUrlQuery>
#include <QVariant>

#include <cerrno>
#include <csignal>

#include <unistd.h>

namespace Portoser {

namespace {

using namespace Qt::Literals::StringLiterals;

// Each entry moves the schema one version up; never edit one that has shipped.
const QStringList Migrations = {
    uR"SQL(CREATE TABLE deployments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        service TEXT NOT NULL,
        host TEXT NOT NULL,
        from_host TEXT NOT NULL DEFAULT '',
        action TEXT NOT NULL,
        actor TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        release_id TEXT NOT NULL DEFAULT '',
        previous_release_id TEXT NOT NULL DEFAULT '',
        config TEXT NOT NULL DEFAULT '{}',
        steps TEXT NOT NULL DEFAULT '[]',
        coordinator_host TEXT NOT NULL DEFAULT '',
        coordinator_pid INTEGER NOT NULL DEFAULT 0))SQL"_s,
    u"CREATE INDEX deployments_by_service ON deployments(service, id)"_s,
    // The healer's tables (core/heal/HealStore): events, per-service budget, knowledge.
    uR"SQL(CREATE TABLE heal_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        service TEXT NOT NULL,
        host TEXT NOT NULL,
        kind TEXT NOT NULL,
        fingerprint TEXT NOT NULL DEFAULT '',
        playbook TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        record_id INTEGER NOT NULL DEFAULT 0))SQL"_s,
    uR"SQL(CREATE TABLE heal_state (
        service TEXT PRIMARY KEY,
        down_since INTEGER NOT NULL DEFAULT 0,
        fingerprint TEXT NOT NULL DEFAULT '',
        restarts TEXT NOT NULL DEFAULT '',
        given_up_at INTEGER NOT NULL DEFAULT 0,
        given_up_reason TEXT NOT NULL DEFAULT '',
        last_playbook TEXT NOT NULL DEFAULT ''))SQL"_s,
    uR"SQL(CREATE TABLE knowledge (
        fingerprint TEXT NOT NULL,
        playbook TEXT NOT NULL,
        occurrences INTEGER NOT NULL DEFAULT 0,
        worked INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        recover_ms INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (fingerprint, playbook)))SQL"_s,
    uR"SQL(CREATE TABLE learned_playbooks (
        name TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        service TEXT NOT NULL DEFAULT '',
        steps TEXT NOT NULL,
        frequency INTEGER NOT NULL DEFAULT 0,
        first_at TEXT NOT NULL,
        last_at TEXT NOT NULL))SQL"_s,
    // What each host said it is (os and arch), remembered from its last contact.
    uR"SQL(CREATE TABLE host_facts (
        host TEXT PRIMARY KEY,
        arch TEXT NOT NULL,
        seen_at TEXT NOT NULL))SQL"_s,
    // --serve: API tokens (only their SHA-256 is kept), the audit log, operator MCP tools.
    uR"SQL(CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked_at TEXT NOT NULL DEFAULT ''))SQL"_s,
    uR"SQL(CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        peer TEXT NOT NULL,
        action TEXT NOT NULL,
        arguments TEXT NOT NULL,
        status INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        duration_ms INTEGER NOT NULL))SQL"_s,
    uR"SQL(CREATE TABLE mcp_tools (
        name TEXT PRIMARY KEY,
        description TEXT NOT NULL,
        input_schema TEXT NOT NULL,
        host TEXT NOT NULL,
        command TEXT NOT NULL,
        role TEXT NOT NULL,
        created_by TEXT NOT NULL,
        updated_at TEXT NOT NULL))SQL"_s,
};

Error sqlError(const QString &what, const QSqlError &e)
{
    return Error{ErrorCode::Failed, u"history database: %1: %2"_s.arg(what, e.text())};
}

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

QString HistoryStore::defaultPath()
{
    const QString env = qEnvironmentVariable("PORTOSER_DB");
    return env.isEmpty() ? QDir::home().filePath(u".portoser/portoser.db"_s) : env;
}

HistoryStore::HistoryStore(QString connectionName, QString path, bool postgres)
    : m_connection(std::move(connectionName))
    , m_path(std::move(path))
    , m_postgres(postgres)
{}

HistoryStore::~HistoryStore()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

bool HistoryStore::isPostgresUrl(const QString &location)
{
    return location.startsWith(u"postgresql://"_s) || location.startsWith(u"postgres://"_s);
}

Result<std::unique_ptr<HistoryStore>> HistoryStore::open(const QString &location)
{
    static QAtomicInteger<int> counter;
    const QString name = u"portoser-history-%1"_s.arg(counter.fetchAndAddRelaxed(1));
    const bool postgres = isPostgresUrl(location);
    // postgresql://user[:password]@host[:port]/database[?connect_timeout=5&sslmode=require]
    // A password is better kept in ~/.pgpass or $PGPASSWORD (libpq reads both) than in a URL that
    // shows in process lists.
    const QUrl url(location);
    const QString shown = postgres ? url.toDisplayString(QUrl::RemovePassword) : location;
    if (postgres && (!url.isValid() || url.path().size() < 2))
        return Error{ErrorCode::InvalidInput,
                     u"--db %1: expected postgresql://USER@HOST[:PORT]/DATABASE"_s.arg(shown)};
    // The store first: it removes the connection, after the last handle below is gone.
    std::unique_ptr<HistoryStore> store(new HistoryStore(name, shown, postgres));
    QSqlDatabase db = QSqlDatabase::addDatabase(postgres ? u"QPSQL"_s : u"QSQLITE"_s, name);
    if (postgres) {
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setDatabaseName(url.path().mid(1));
        db.setUserName(url.userName());
        db.setPassword(url.password());
        QStringList options;
        for (const auto &[key, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded))
            options.append(key + u'=' + value);
        if (!QUrlQuery(url).hasQueryItem(u"connect_timeout"_s))
            options.append(u"connect_timeout=10"_s);
        db.setConnectOptions(options.join(u';'));
    } else {
        QDir().mkpath(QFileInfo(location).absolutePath());
        db.setDatabaseName(location);
        db.setConnectOptions(
            u"QSQLITE_BUSY_TIMEOUT=10000"_s); // several CLI processes may write at once
    }
    if (!db.open())
        return sqlError(u"cannot open %1"_s.arg(shown), db.lastError());
    if (!postgres)
        QSqlQuery(db).exec(u"PRAGMA journal_mode=WAL"_s);
    if (auto migrated = store->migrate(); !migrated)
        return migrated.error();
    store->markInterrupted();
    return store;
}

bool HistoryStore::tryLead(const QString &role)
{
    if (m_postgres) {
        if (m_leads.contains(role))
            return true; // a session-level advisory lock stays until the connection closes
        QSqlQuery q(QSqlDatabase::database(m_connection));
        q.prepare(u"SELECT pg_try_advisory_lock(?)"_s);
        q.addBindValue(qint64(7420000 + qHash(role) % 100000));
        if (!q.exec() || !q.next() || !q.value(0).toBool())
            return false;
        m_leads.insert(role, nullptr);
        return true;
    }
    auto &lock = m_leads[role];
    if (!lock) {
        lock = std::make_shared<QLockFile>(m_path + u".lead-"_s + role);
        lock->setStaleLockTime(0); // stale only when its process is gone
    }
    return lock->isLocked() || lock->tryLock(0);
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
        return sqlError(u"cannot remember the arch of %1"_s.arg(host), q.lastError());
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
static QString forPostgres(QString statement)
{
    statement.replace(u"INTEGER PRIMARY KEY AUTOINCREMENT"_s, u"BIGSERIAL PRIMARY KEY"_s);
    statement.replace(u" INTEGER "_s, u" BIGINT "_s);
    statement.replace(u" INTEGER,"_s, u" BIGINT,"_s);
    statement.replace(u" INTEGER)"_s, u" BIGINT)"_s);
    return statement;
}

Result<int> HistoryStore::schemaVersion()
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!m_postgres) {
        if (!q.exec(u"PRAGMA user_version"_s) || !q.next())
            return sqlError(u"cannot read the schema version"_s, q.lastError());
        return q.value(0).toInt();
    }
    if (!q.exec(u"CREATE TABLE IF NOT EXISTS portoser_schema (version INTEGER NOT NULL)"_s)
        || !q.exec(u"SELECT version FROM portoser_schema"_s))
        return sqlError(u"cannot read the schema version"_s, q.lastError());
    return q.next() ? q.value(0).toInt() : 0;
}

Result<void> HistoryStore::migrate()
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    QSqlQuery q(db);
    if (m_postgres) {
        // Two coordinators starting at once: one migrates, the other waits and finds it done.
        db.transaction();
        q.exec(u"SELECT pg_advisory_xact_lock(7420001)"_s);
    }
    auto current = schemaVersion();
    if (!current) {
        if (m_postgres)
            db.rollback();
        return current.error();
    }
    const int version = *current;
    if (version > Migrations.size()) {
        if (m_postgres)
            db.rollback();
        return Error{ErrorCode::Failed,
                     u"history database %1 has schema %2, newer than this Portoser (%3); "
                     "upgrade Portoser"_s.arg(m_path)
                         .arg(version)
                         .arg(Migrations.size())};
    }
    if (!m_postgres)
        db.transaction();
    for (int v = version; v < Migrations.size(); ++v) {
        const QString statement = m_postgres ? forPostgres(Migrations.at(v)) : Migrations.at(v);
        if (!q.exec(statement)) {
            const Error e = sqlError(u"migration %1 failed"_s.arg(v + 1), q.lastError());
            db.rollback();
            return e;
        }
    }
    const bool recorded =
        !m_postgres ? q.exec(u"PRAGMA user_version = %1"_s.arg(Migrations.size()))
                    : q.exec(u"DELETE FROM portoser_schema"_s)
                          && q.exec(u"INSERT INTO portoser_schema (version) VALUES (%1)"_s.arg(
                              Migrations.size()));
    if (!recorded) {
        const Error e = sqlError(u"cannot record the schema version"_s, q.lastError());
        db.rollback();
        return e;
    }
    db.commit();
    return {};
}

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
        return sqlError(u"cannot record the start of a deploy"_s, q.lastError());
    r.id = q.value(0).toLongLong();
    return {};
}

Result<void> HistoryStore::finish(const DeploymentRecord &r)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"UPDATE deployments SET ended_at = ?, outcome = ?, reason = ?, release_id = ?, "
              u"previous_release_id = ?, "
              "steps = ? WHERE id = ?"_s);
    q.addBindValue((r.endedAt.isValid() ? r.endedAt : QDateTime::currentDateTimeUtc())
                       .toUTC()
                       .toString(Qt::ISODateWithMs));
    q.addBindValue(text(toString(r.outcome)));
    q.addBindValue(text(r.reason));
    q.addBindValue(text(r.releaseId));
    q.addBindValue(text(r.previousReleaseId));
    q.addBindValue(
        QString::fromUtf8(QJsonDocument(stepsToJson(r.steps)).toJson(QJsonDocument::Compact)));
    q.addBindValue(r.id);
    if (!q.exec())
        return sqlError(u"cannot record the end of deploy %1"_s.arg(r.id), q.lastError());
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
        return sqlError(u"cannot read history"_s, q.lastError());
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
        return sqlError(u"cannot read history"_s, q.lastError());
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
        return sqlError(u"cannot read history"_s, q.lastError());
    if (!q.next())
        return std::optional<DeploymentRecord>();
    return std::optional<DeploymentRecord>(fromQuery(q));
}

} // namespace Portoser
