// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/access/Access.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>

namespace Portoser {

/** One call through the API or MCP: who, from where, what, with which (redacted) arguments. */
struct AuditEntry
{
    qint64 id = 0;
    QDateTime at;
    QString actor;
    QString role;
    QString peer;
    QString action; // "POST /api/v1/deploy", "mcp:tools/call deploy"
    QJsonObject arguments;
    int status = 0;  // HTTP status, or 200/500 for MCP calls
    QString outcome; // ok | denied | failed: <message>
    qint64 durationMs = 0;
};

QJsonObject toJson(const AuditEntry &entry);
/** The entry for a call by `who` (from `who.address`) that has just ended. */
AuditEntry auditEntry(const Principal &who, const QString &action, const QJsonObject &arguments,
                      int status, const QString &outcome, qint64 durationMs);

/**
 * The audit log table. Arguments are stored redacted: any key that names a secret, password,
 * token, passphrase or value loses its value, so the log can be shown to any admin.
 */
class AuditLog
{
public:
    explicit AuditLog(QString connection);

    Result<void> append(AuditEntry entry);
    /** Newest first. */
    Result<QList<AuditEntry>> list(int limit, int offset = 0, const QString &actor = {}) const;

    static QJsonObject redact(const QJsonObject &arguments);

private:
    QString m_connection;
};

} // namespace Portoser
