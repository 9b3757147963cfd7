// SPDX-License-Identifier: Apache-2.0
#include "core/store/Database.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUrlQuery>
#include <QVariant>

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
    // The watchdog's observations over time (core/metrics/MetricsStore): raw, then 5-minute
    // aggregates.
    uR"SQL(CREATE TABLE metric_samples (
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        name TEXT NOT NULL,
        value DOUBLE PRECISION NOT NULL))SQL"_s,
    u"CREATE INDEX metric_samples_by_subject ON metric_samples(kind, subject, at)"_s,
    u"CREATE INDEX metric_samples_by_time ON metric_samples(at)"_s,
    uR"SQL(CREATE TABLE metric_aggregates (
        bucket INTEGER NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        name TEXT NOT NULL,
        min_value DOUBLE PRECISION NOT NULL,
        max_value DOUBLE PRECISION NOT NULL,
        sum_value DOUBLE PRECISION NOT NULL,
        count INTEGER NOT NULL))SQL"_s,
    u"CREATE INDEX metric_aggregates_by_subject ON metric_aggregates(kind, subject, bucket)"_s,
};

QString forPostgres(QString statement)
{
    statement.replace(u"INTEGER PRIMARY KEY AUTOINCREMENT"_s, u"BIGSERIAL PRIMARY KEY"_s);
    statement.replace(u" INTEGER "_s, u" BIGINT "_s);
    statement.replace(u" INTEGER,"_s, u" BIGINT,"_s);
    statement.replace(u" INTEGER)"_s, u" BIGINT)"_s);
    return statement;
}

} // namespace

Error Database::sqlError(const QString &what, const QSqlError &e)
{
    return Error{ErrorCode::Failed, u"history database: %1: %2"_s.arg(what, e.text())};
}

int Database::schemaVersion()
{
    return int(Migrations.size());
}

QString Database::defaultPath()
{
    const QString env = qEnvironmentVariable("PORTOSER_DB");
    return env.isEmpty() ? QDir::home().filePath(u".portoser/portoser.db"_s) : env;
}

Database::Database(QString connectionName, QString path, bool postgres)
    : m_connection(std::move(connectionName))
    , m_path(std::move(path))
    , m_postgres(postgres)
{}

Database::~Database()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

bool Database::isPostgresUrl(const QString &location)
{
    return location.startsWith(u"postgresql://"_s) || location.startsWith(u"postgres://"_s);
}

Result<std::unique_ptr<Database>> Database::open(const QString &location)
{
    static QAtomicInteger<int> counter;
    const QString name = u"portoser-db-%1"_s.arg(counter.fetchAndAddRelaxed(1));
    const bool postgres = isPostgresUrl(location);
    // postgresql://user[:password]@host[:port]/database[?connect_timeout=5&sslmode=require]
    // A password is better kept in ~/.pgpass or $PGPASSWORD (libpq reads both) than in a URL that
    // shows in process lists.
    const QUrl url(location);
    const QString shown = postgres ? url.toDisplayString(QUrl::RemovePassword) : location;
    if (postgres && (!url.isValid() || url.path().size() < 2))
        return Error{ErrorCode::InvalidInput,
                     u"--db %1: expected postgresql://USER@HOST[:PORT]/DATABASE"_s.arg(shown)};
    // Made first: it removes the connection, after the last handle below is gone.
    std::unique_ptr<Database> database(new Database(name, shown, postgres));
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
    if (auto migrated = database->migrate(); !migrated)
        return migrated.error();
    return database;
}

bool Database::tryLead(const QString &role)
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

Result<int> Database::storedVersion()
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

Result<void> Database::migrate()
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    QSqlQuery q(db);
    if (!m_postgres) {
        // Up to date (every open but the first): nothing to lock.
        if (auto current = storedVersion(); current && *current == Migrations.size())
            return {};
    }
    // Several connections opening a new database at once (the window's threads, two CLI
    // processes, two coordinators): one migrates, the others wait for it and find it done. The
    // version is read under the same lock the migration writes under.
    const auto rollback = [&] { m_postgres ? db.rollback() : q.exec(u"ROLLBACK"_s); };
    if (m_postgres) {
        db.transaction();
        q.exec(u"SELECT pg_advisory_xact_lock(7420001)"_s);
    } else if (!q.exec(u"BEGIN IMMEDIATE"_s)) {
        return sqlError(u"cannot lock %1 to migrate it"_s.arg(m_path), q.lastError());
    }
    auto current = storedVersion();
    if (!current) {
        rollback();
        return current.error();
    }
    const int version = *current;
    if (version > Migrations.size()) {
        rollback();
        return Error{ErrorCode::Failed,
                     u"history database %1 has schema %2, newer than this Portoser (%3); "
                     "upgrade Portoser"_s.arg(m_path)
                         .arg(version)
                         .arg(Migrations.size())};
    }
    for (int v = version; v < Migrations.size(); ++v) {
        const QString statement = m_postgres ? forPostgres(Migrations.at(v)) : Migrations.at(v);
        if (!q.exec(statement)) {
            const Error e = sqlError(u"migration %1 failed"_s.arg(v + 1), q.lastError());
            rollback();
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
        rollback();
        return e;
    }
    if (m_postgres ? !db.commit() : !q.exec(u"COMMIT"_s))
        return sqlError(u"cannot commit the migration of %1"_s.arg(m_path),
                        m_postgres ? db.lastError() : q.lastError());
    return {};
}

} // namespace Portoser
