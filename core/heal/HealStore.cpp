// SPDX-License-Identifier: Apache-2.0
#include "core/heal/HealStore.h"

#include "core/history/HistoryStore.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

const QStringList KindNames = {u"down"_s, u"recovered"_s, u"action"_s, u"given_up"_s, u"report"_s};

Error sqlError(const QString &what, const QSqlQuery &q)
{
    return Error{ErrorCode::Failed, u"heal database: %1: %2"_s.arg(what, q.lastError().text())};
}

QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(u""_s) : QVariant(value);
}

QString isoNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QByteArray stepsJson(const QList<PlaybookStep> &steps)
{
    Playbook p;
    p.steps = steps;
    return QJsonDocument(toJson(p).value(u"steps"_s).toArray()).toJson(QJsonDocument::Compact);
}

QList<PlaybookStep> stepsFromJson(const QByteArray &json)
{
    QList<PlaybookStep> steps;
    for (const QJsonValue &v : QJsonDocument::fromJson(json).array()) {
        const QJsonObject o = v.toObject();
        steps.append({o.value(u"action"_s).toString(),
                      o.value(u"command"_s).toString(),
                      o.value(u"kill"_s).toBool(),
                      {}});
    }
    return steps;
}

} // namespace

QString HealEvent::kindName(Kind kind)
{
    return KindNames.value(int(kind));
}

QJsonObject toJson(const HealEvent &e)
{
    return {{u"id"_s, e.id},
            {u"at"_s, e.at.toString(Qt::ISODateWithMs)},
            {u"service"_s, e.service},
            {u"host"_s, e.host},
            {u"kind"_s, HealEvent::kindName(e.kind)},
            {u"fingerprint"_s, e.fingerprint},
            {u"playbook"_s, e.playbook},
            {u"detail"_s, e.detail},
            {u"record"_s, e.recordId}};
}

QString toText(const HealEvent &e)
{
    return u"%1  %2  %3  %4%5  %6"_s.arg(
        e.at.toLocalTime().toString(u"HH:mm:ss"_s), e.service.leftJustified(12),
        HealEvent::kindName(e.kind).leftJustified(9),
        e.fingerprint.isEmpty() ? QString() : e.fingerprint + u' ',
        e.recordId ? u"(record %1) "_s.arg(e.recordId) : QString(), e.detail);
}

ServiceInsights ServiceInsights::from(const QString &service, const QList<HealEvent> &newestFirst)
{
    ServiceInsights insights;
    insights.service = service;
    QMap<QString, FingerprintInsight> byFingerprint;
    QMap<QString, qint64> recoverMs;
    QDateTime downAt;
    QString downFingerprint;
    for (auto it = newestFirst.crbegin(); it != newestFirst.crend(); ++it) {
        const HealEvent &e = *it;
        if (e.kind == HealEvent::Kind::Down) {
            FingerprintInsight &f = byFingerprint[e.fingerprint];
            f.fingerprint = e.fingerprint;
            ++f.occurrences;
            if (!downAt.isValid()) {
                downAt = e.at;
                downFingerprint = e.fingerprint;
            }
        } else if (e.kind == HealEvent::Kind::Recovered && downAt.isValid()) {
            ++byFingerprint[downFingerprint].recovered;
            recoverMs[downFingerprint] += downAt.msecsTo(e.at);
            downAt = {};
        } else if (e.kind == HealEvent::Kind::Action) {
            ++insights.actions;
        } else if (e.kind == HealEvent::Kind::GivenUp) {
            ++insights.givenUp;
        }
    }
    for (FingerprintInsight &f : byFingerprint) {
        if (f.recovered)
            f.meanRecoverMs = recoverMs.value(f.fingerprint) / f.recovered;
        insights.fingerprints.append(f);
    }
    insights.downNow = downAt.isValid();
    return insights;
}

QJsonObject toJson(const ServiceInsights &insights)
{
    QJsonArray fingerprints;
    for (const FingerprintInsight &f : insights.fingerprints)
        fingerprints.append(QJsonObject{{u"fingerprint"_s, f.fingerprint},
                                        {u"occurrences"_s, f.occurrences},
                                        {u"recovered"_s, f.recovered},
                                        {u"mean_recover_ms"_s, f.meanRecoverMs}});
    return {{u"service"_s, insights.service},
            {u"fingerprints"_s, fingerprints},
            {u"actions"_s, insights.actions},
            {u"given_up"_s, insights.givenUp},
            {u"down_now"_s, insights.downNow}};
}

HealStore::HealStore(const HistoryStore &history)
    : m_connection(history.connectionName())
{}

Result<void> HealStore::addEvent(HealEvent &e)
{
    if (!e.at.isValid())
        e.at = QDateTime::currentDateTimeUtc();
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"INSERT INTO heal_events (at, service, host, kind, fingerprint, playbook, detail, "
              "record_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"_s);
    q.addBindValue(e.at.toString(Qt::ISODateWithMs));
    q.addBindValue(text(e.service));
    q.addBindValue(text(e.host));
    q.addBindValue(HealEvent::kindName(e.kind));
    q.addBindValue(text(e.fingerprint));
    q.addBindValue(text(e.playbook));
    q.addBindValue(text(e.detail));
    q.addBindValue(e.recordId);
    if (!q.exec() || !q.next())
        return sqlError(u"cannot record an event"_s, q);
    e.id = q.value(0).toLongLong();
    return {};
}

Result<QList<HealEvent>> HealStore::events(const QString &service, int limit, qint64 afterId) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(
        u"SELECT id, at, service, host, kind, fingerprint, playbook, detail, record_id "
        "FROM heal_events WHERE (? = '' OR service = ?) AND id > ? ORDER BY id DESC LIMIT ?"_s);
    q.addBindValue(text(service));
    q.addBindValue(text(service));
    q.addBindValue(afterId);
    q.addBindValue(limit);
    if (!q.exec())
        return sqlError(u"cannot read events"_s, q);
    QList<HealEvent> events;
    while (q.next()) {
        HealEvent e;
        e.id = q.value(0).toLongLong();
        e.at = QDateTime::fromString(q.value(1).toString(), Qt::ISODateWithMs);
        e.service = q.value(2).toString();
        e.host = q.value(3).toString();
        e.kind = HealEvent::Kind(std::max<qsizetype>(0, KindNames.indexOf(q.value(4).toString())));
        e.fingerprint = q.value(5).toString();
        e.playbook = q.value(6).toString();
        e.detail = q.value(7).toString();
        e.recordId = q.value(8).toLongLong();
        events.append(e);
    }
    return events;
}

Result<HealState> HealStore::state(const QString &service) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"SELECT down_since, fingerprint, restarts, given_up_at, given_up_reason, "
              "last_playbook FROM heal_state WHERE service = ?"_s);
    q.addBindValue(service);
    if (!q.exec())
        return sqlError(u"cannot read the state of %1"_s.arg(service), q);
    HealState s;
    s.service = service;
    if (q.next()) {
        s.downSince = q.value(0).toLongLong();
        s.fingerprint = q.value(1).toString();
        for (const QString &t : q.value(2).toString().split(u' ', Qt::SkipEmptyParts))
            s.restarts.append(t.toLongLong());
        s.givenUpAt = q.value(3).toLongLong();
        s.givenUpReason = q.value(4).toString();
        s.lastPlaybook = q.value(5).toString();
    }
    return s;
}

Result<void> HealStore::saveState(const HealState &s)
{
    QStringList restarts;
    for (qint64 t : s.restarts)
        restarts.append(QString::number(t));
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"INSERT INTO heal_state (service, down_since, fingerprint, restarts, given_up_at, "
              "given_up_reason, last_playbook) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (service) "
              "DO UPDATE SET down_since = excluded.down_since, fingerprint = excluded.fingerprint, "
              "restarts = excluded.restarts, given_up_at = excluded.given_up_at, given_up_reason = "
              "excluded.given_up_reason, last_playbook = excluded.last_playbook"_s);
    q.addBindValue(s.service);
    q.addBindValue(s.downSince);
    q.addBindValue(text(s.fingerprint));
    q.addBindValue(text(restarts.join(u' ')));
    q.addBindValue(s.givenUpAt);
    q.addBindValue(text(s.givenUpReason));
    q.addBindValue(text(s.lastPlaybook));
    if (!q.exec())
        return sqlError(u"cannot save the state of %1"_s.arg(s.service), q);
    return {};
}

Result<void> HealStore::countOccurrence(const QString &fingerprint)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(
        u"INSERT INTO knowledge (fingerprint, playbook, occurrences) VALUES (?, '', 1) "
        "ON CONFLICT (fingerprint, playbook) DO UPDATE SET occurrences = knowledge.occurrences + 1"_s);
    q.addBindValue(fingerprint);
    if (!q.exec())
        return sqlError(u"cannot count %1"_s.arg(fingerprint), q);
    return {};
}

Result<void> HealStore::countOutcome(const QString &fingerprint, const QString &playbook,
                                     bool worked, qint64 recoverMs)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"INSERT INTO knowledge (fingerprint, playbook, occurrences, worked, failed, "
              "recover_ms) VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (fingerprint, playbook) DO "
              "UPDATE SET occurrences = knowledge.occurrences + 1, worked = knowledge.worked + "
              "excluded.worked, failed = knowledge.failed + excluded.failed, recover_ms = "
              "knowledge.recover_ms + excluded.recover_ms"_s);
    q.addBindValue(fingerprint);
    q.addBindValue(playbook);
    q.addBindValue(worked ? 1 : 0);
    q.addBindValue(worked ? 0 : 1);
    q.addBindValue(worked ? recoverMs : 0);
    if (!q.exec())
        return sqlError(u"cannot count the outcome of %1"_s.arg(playbook), q);
    return {};
}

Result<QList<KnowledgeRow>> HealStore::knowledge() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!q.exec(u"SELECT fingerprint, playbook, occurrences, worked, failed, recover_ms FROM "
                "knowledge ORDER BY fingerprint, playbook"_s))
        return sqlError(u"cannot read the knowledge base"_s, q);
    QList<KnowledgeRow> rows;
    while (q.next())
        rows.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toInt(),
                     q.value(3).toInt(), q.value(4).toInt(), q.value(5).toLongLong()});
    return rows;
}

Result<LearnedPlaybook> HealStore::learn(const QString &fingerprint, const QString &service,
                                         const QList<PlaybookStep> &steps)
{
    const QByteArray json = stepsJson(steps);
    const QString name = u"learned-%1-%2"_s.arg(
        fingerprint,
        QString::fromLatin1(QCryptographicHash::hash(QByteArray(service.toUtf8() + '\n' + json),
                                                     QCryptographicHash::Sha256)
                                .toHex()
                                .left(8)));
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"INSERT INTO learned_playbooks (name, fingerprint, service, steps, frequency, "
              "first_at, last_at) VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (name) DO UPDATE SET "
              "frequency = learned_playbooks.frequency + 1, last_at = excluded.last_at"_s);
    const QString now = isoNow();
    q.addBindValue(name);
    q.addBindValue(fingerprint);
    q.addBindValue(text(service));
    q.addBindValue(QString::fromUtf8(json));
    q.addBindValue(now);
    q.addBindValue(now);
    if (!q.exec())
        return sqlError(u"cannot record the fix"_s, q);
    auto all = learned();
    if (!all)
        return all.error();
    for (const LearnedPlaybook &l : *all) {
        if (l.playbook.name == name)
            return l;
    }
    return Error{ErrorCode::Failed, u"the recorded fix %1 is missing"_s.arg(name)};
}

Result<QList<LearnedPlaybook>> HealStore::learned() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!q.exec(u"SELECT name, fingerprint, service, steps, frequency, first_at, last_at FROM "
                "learned_playbooks ORDER BY frequency DESC, name"_s))
        return sqlError(u"cannot read learned playbooks"_s, q);
    QList<LearnedPlaybook> list;
    while (q.next()) {
        LearnedPlaybook l;
        l.playbook.name = q.value(0).toString();
        l.playbook.fingerprint = q.value(1).toString();
        if (!q.value(2).toString().isEmpty())
            l.playbook.services = {q.value(2).toString()};
        l.playbook.steps = stepsFromJson(q.value(3).toByteArray());
        l.playbook.origin = u"learned"_s;
        l.playbook.description = u"recorded by an operator"_s;
        l.frequency = q.value(4).toInt();
        l.firstAt = QDateTime::fromString(q.value(5).toString(), Qt::ISODateWithMs);
        l.lastAt = QDateTime::fromString(q.value(6).toString(), Qt::ISODateWithMs);
        list.append(l);
    }
    return list;
}

} // namespace Portoser
