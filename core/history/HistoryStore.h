// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/history/DeploymentRecord.h"
#include "core/history/HistoryQuery.h"
#include "core/store/Database.h"

#include <QMap>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace Portoser {

class HistoryStore;

/**
 * The deployment history (and the arch each host reported) in the coordinator's Database.
 * Opening it opens the database (migrating it) and turns records left `running` by a coordinator
 * that died into `interrupted`. The other repositories (HealStore, TokenStore, AuditLog,
 * OperatorToolStore) work on its connection. Use one per thread.
 */
class HistoryStore
{
public:
    /** `location`: a SQLite file path, or postgresql://USER@HOST[:PORT]/DATABASE[?options]. */
    static Result<std::unique_ptr<HistoryStore>> open(const QString &location);
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

    /** What the database tells about itself. */
    bool tryLead(const QString &role) { return m_database->tryLead(role); }
    QString path() const { return m_database->path(); }
    bool isPostgres() const { return m_database->isPostgres(); }
    QString connectionName() const { return m_database->connectionName(); }

private:
    explicit HistoryStore(std::unique_ptr<Database> database);
    void markInterrupted();

    std::unique_ptr<Database> m_database;
    QString m_connection; // the database's, for the queries here
};

} // namespace Portoser
