// SPDX-License-Identifier: Apache-2.0
#include "core/access/AuditLog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

QJsonObject toJson(const AuditEntry &e)
{
    return {{u"id"_s, e.id},
            {u"at"_s, e.at.toString(Qt::ISODateWithMs)},
            {u"actor"_s, e.actor},
            {u"role"_s, e.role},
            {u"peer"_s, e.peer},
            {u"action"_s, e.action},
            {u"arguments"_s, e.arguments},
            {u"status"_s, e.status},
            {u"outcome"_s, e.outcome},
            {u"duration_ms"_s, e.durationMs}};
}

AuditEntry auditEntry(const Principal &who, const QString &action, const QJsonObject &arguments,
                      int status, const QString &outcome, qint64 durationMs)
{
    AuditEntry e;
    e.at = QDateTime::currentDateTimeUtc();
    e.actor = who.name;
    e.role = toString(who.role);
    e.peer = who.address.isEmpty() ? u"local"_s : who.address;
    e.action = action;
    e.arguments = arguments;
    e.status = status;
    e.outcome = outcome;
    e.durationMs = durationMs;
    return e;
}

AuditLog::AuditLog(QString connection)
    : m_connection(std::move(connection))
{}

static QJsonValue redactValue(const QJsonValue &value);

QJsonObject AuditLog::redact(const QJsonObject &arguments)
{
    static const QRegularExpression secretKey(
        u"secret|password|passwd|token|passphrase|^value$|^content$|private|credential"_s,
        QRegularExpression::CaseInsensitiveOption);
    QJsonObject out;
    for (auto it = arguments.begin(); it != arguments.end(); ++it)
        out.insert(it.key(), secretKey.match(it.key()).hasMatch() ? QJsonValue(u"[redacted]"_s)
                                                                  : redactValue(it.value()));
    return out;
}

static QJsonValue redactValue(const QJsonValue &value)
{
    if (value.isObject())
        return AuditLog::redact(value.toObject());
    if (value.isArray()) {
        QJsonArray a;
        for (const QJsonValue &v : value.toArray())
            a.append(redactValue(v));
        return a;
    }
    return value;
}

Result<void> AuditLog::append(AuditEntry e)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"INSERT INTO audit_log (at, actor, role, peer, action, arguments, status, outcome, "
              "duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    q.addBindValue(e.at.toUTC().toString(Qt::ISODateWithMs));
    q.addBindValue(e.actor);
    q.addBindValue(e.role);
    q.addBindValue(e.peer);
    q.addBindValue(e.action);
    q.addBindValue(
        QString::fromUtf8(QJsonDocument(redact(e.arguments)).toJson(QJsonDocument::Compact)));
    q.addBindValue(e.status);
    q.addBindValue(e.outcome);
    q.addBindValue(e.durationMs);
    if (!q.exec())
        return Error{ErrorCode::Failed,
                     u"audit log: cannot append: %1"_s.arg(q.lastError().text())};
    return {};
}

Result<QList<AuditEntry>> AuditLog::list(int limit, int offset, const QString &actor) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"SELECT id, at, actor, role, peer, action, arguments, status, outcome, duration_ms "
              "FROM audit_log WHERE (? = '' OR actor = ?) ORDER BY id DESC LIMIT ? OFFSET ?"_s);
    q.addBindValue(actor.isNull() ? u""_s : actor);
    q.addBindValue(actor.isNull() ? u""_s : actor);
    q.addBindValue(limit);
    q.addBindValue(offset);
    if (!q.exec())
        return Error{ErrorCode::Failed, u"audit log: cannot read: %1"_s.arg(q.lastError().text())};
    QList<AuditEntry> entries;
    while (q.next()) {
        AuditEntry e;
        e.id = q.value(0).toLongLong();
        e.at = QDateTime::fromString(q.value(1).toString(), Qt::ISODateWithMs);
        e.actor = q.value(2).toString();
        e.role = q.value(3).toString();
        e.peer = q.value(4).toString();
        e.action = q.value(5).toString();
        e.arguments = QJsonDocument::fromJson(q.value(6).toByteArray()).object();
        e.status = q.value(7).toInt();
        e.outcome = q.value(8).toString();
        e.durationMs = q.value(9).toLongLong();
        entries.append(e);
    }
    return entries;
}

} // namespace Portoser
