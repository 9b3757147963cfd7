// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/history/DeploymentRecord.h"

#include <QLockFile>
#include <QMap>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace Portoser {

/** Which records `list` returns, newest first. */
struct HistoryQuery
{
    QString service; // empty: all
    int limit = 50;
    int offset = 0;
    qint64 beforeId = 0; // > 0: only older records (keyset paging: every page costs the same)
    QString host;        // empty: all
    QString outcome;     // empty: all (succeeded, failed, rolled_back, cancelled, …)

    /** The newest `limit` records of `service` (all services when empty). */
    static HistoryQuery newest(const QString &service, int limit)
    {
        HistoryQuery q;
        q.service = service;
        q.limit = limit;
        return q;
    }
};

class HistoryStore;
/** Opens (on first call) and returns the store a service works on; its error says why not. */
using StoreAccess = std::function<Result<HistoryStore *>()>;

/**
 * The coordinator's database: deployment history, heal state and knowledge, API tokens, audit.
 * SQLite (`~/.portoser/portoser.db` by default) or PostgreSQL (a `postgresql://` URL), with the
 * same versioned migrations. Opening it migrates and turns records left `running` by a
 * coordinator that died into `interrupted`. Use one store per thread (a QSqlDatabase connection
 * never changes thread).
 */
class HistoryStore
{
public:
    /** `location`: a SQLite file path, or postgresql://USER@HOST[:PORT]/DATABASE[?options]. */
    static Result<std::unique_ptr<HistoryStore>> open(const QString &location);
    static bool isPostgresUrl(const QString &location);
    /** ~/.portoser/portoser.db, or $PORTOSER_DB. */
    static QString defaultPath();
    ~HistoryStore();
    Q_DISABLE_COPY_MOVE(HistoryStore)

    /** Inserts `record` as running and sets its id. */
    Result<void> begin(DeploymentRecord &record);
    /** Writes the outcome, end time and steps of a begun record. */
    Result<void> finish(const DeploymentRecord &record);
    Result<QList<DeploymentRecord>> list(const HistoryQuery &query) const;
    Result<DeploymentRecord> get(qint64 id) const;
    /** The newest record of `service` that ended with the service up (succeeded). */
    Result<std::optional<DeploymentRecord>> lastSucceeded(const QString &service) const;
    /** Remembers the arch a host reported ("amd64-linux"), detected on contact. */
    Result<void> recordHostArch(const QString &host, const QString &arch);
    /** The arch `host` reported last, or "" when it was never contacted. */
    QString hostArch(const QString &host) const;
    /**
     * Takes (or confirms) the lead of `role` among every coordinator on this database, without
     * waiting: a PostgreSQL advisory lock held by this connection, or for SQLite a lock file
     * beside the database. It is released when this store closes or its process dies, so another
     * coordinator takes over at its next try.
     */
    bool tryLead(const QString &role);
    /** The file, or the URL without its password. */
    QString path() const { return m_path; }
    bool isPostgres() const { return m_postgres; }
    /** The QSqlDatabase connection, for stores of other tables in the same file (same thread). */
    QString connectionName() const { return m_connection; }

private:
    HistoryStore(QString connectionName, QString path, bool postgres);
    Result<int> schemaVersion();
    Result<void> migrate();
    void markInterrupted();

    QString m_connection;
    QString m_path;
    bool m_postgres = false;
    QMap<QString, std::shared_ptr<QLockFile>> m_leads;
};

} // namespace Portoser
