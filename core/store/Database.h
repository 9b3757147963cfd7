// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QLockFile>
#include <QMap>
#include <QString>

#include <memory>

class QSqlError;

namespace Portoser {

/**
 * The coordinator's database, the one owner of its schema: SQLite (`~/.portoser/portoser.db` by
 * default) or PostgreSQL (a `postgresql://` URL), with the same versioned migrations, run once
 * however many threads or processes open it at the same time. The tables are read and written by
 * small repositories over its connection (HistoryStore: deployments and host facts; HealStore;
 * TokenStore; AuditLog; OperatorToolStore). Use one per thread (a QSqlDatabase connection never
 * changes thread).
 */
class Database
{
public:
    /** `location`: a SQLite file path, or postgresql://USER@HOST[:PORT]/DATABASE[?options]. */
    static Result<std::unique_ptr<Database>> open(const QString &location);
    static bool isPostgresUrl(const QString &location);
    /** ~/.portoser/portoser.db, or $PORTOSER_DB. */
    static QString defaultPath();
    /** An error of this database: "history database: <what>: <the driver's text>". */
    static Error sqlError(const QString &what, const QSqlError &e);
    /** The schema version this Portoser migrates to. */
    static int schemaVersion();
    ~Database();
    Q_DISABLE_COPY_MOVE(Database)

    /**
     * Takes (or confirms) the lead of `role` among every coordinator on this database, without
     * waiting: a PostgreSQL advisory lock held by this connection, or for SQLite a lock file
     * beside the database. It is released when this closes or its process dies, so another
     * coordinator takes over at its next try.
     */
    bool tryLead(const QString &role);
    /** The file, or the URL without its password. */
    QString path() const { return m_path; }
    bool isPostgres() const { return m_postgres; }
    /** The QSqlDatabase connection the repositories use (same thread). */
    QString connectionName() const { return m_connection; }

private:
    Database(QString connectionName, QString path, bool postgres);
    Result<int> storedVersion();
    Result<void> migrate();

    QString m_connection;
    QString m_path;
    bool m_postgres = false;
    QMap<QString, std::shared_ptr<QLockFile>> m_leads;
};

} // namespace Portoser
