// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/heal/Playbook.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Portoser {

class HistoryStore;

/** Something the healer saw or did: what `heal events`, the GUI and the API show. */
struct HealEvent
{
    enum class Kind {
        Down,      // a service went from fine to a problem (with the diagnosis)
        Recovered, // it is fine again
        Action,    // a playbook step ran
        GivenUp,   // the restart budget is spent; nothing restarts it until an operator acts
        Report     // something an operator has to do
    };
    qint64 id = 0;
    QDateTime at;
    QString service;
    QString host;
    Kind kind = Kind::Action;
    QString fingerprint;
    QString playbook;
    QString detail;
    qint64 recordId = 0; // the history record of a restart

    static QString kindName(Kind kind);
};

QJsonObject toJson(const HealEvent &event);
/** One line for logs and terminals: "12:00:01  api  down  process_dead  …". */
QString toText(const HealEvent &event);

/** How often one problem struck a service, and how quickly it came back. */
struct FingerprintInsight
{
    QString fingerprint;
    int occurrences = 0;
    int recovered = 0;
    qint64 meanRecoverMs = 0;
};

/** One service's history of problems and fixes, read from its heal events. */
struct ServiceInsights
{
    QString service;
    QList<FingerprintInsight> fingerprints;
    int actions = 0;
    int givenUp = 0;
    bool downNow = false;

    /** Pairs each `down` with the `recovered` that ended it; `newestFirst` as events() gives. */
    static ServiceInsights from(const QString &service, const QList<HealEvent> &newestFirst);
};

QJsonObject toJson(const ServiceInsights &insights);

/** The healer's memory of one service between passes (and processes). */
struct HealState
{
    QString service;
    qint64 downSince = 0;   // epoch ms; 0 while fine
    QString fingerprint;    // the primary problem while down
    QList<qint64> restarts; // epoch seconds of the healer's restarts, newest last
    qint64 givenUpAt = 0;   // epoch seconds; 0 when not given up
    QString givenUpReason;
    QString lastPlaybook; // run while this problem lasted, credited when it recovers
};

/** Per fingerprint and playbook: how often it happened, what worked, how long recovery took. */
struct KnowledgeRow
{
    QString fingerprint;
    QString playbook; // "" for the fingerprint's own occurrence count
    int occurrences = 0;
    int worked = 0;
    int failed = 0;
    qint64 recoverMs = 0; // sum over `worked`

    qint64 meanRecoverMs() const { return worked ? recoverMs / worked : 0; }
};

/** A fix an operator recorded by hand; the same fix recorded again raises its frequency. */
struct LearnedPlaybook
{
    Playbook playbook;
    int frequency = 0;
    QDateTime firstAt, lastAt;
};

/**
 * The healer's tables in the history database (same file, same thread as its HistoryStore):
 * events, per-service budget state and the knowledge base.
 */
class HealStore
{
public:
    explicit HealStore(const HistoryStore &history);

    Result<void> addEvent(HealEvent &event);
    Result<QList<HealEvent>> events(const QString &service, int limit, qint64 afterId = 0) const;

    Result<HealState> state(const QString &service) const;
    Result<void> saveState(const HealState &state);

    Result<void> countOccurrence(const QString &fingerprint);
    Result<void> countOutcome(const QString &fingerprint, const QString &playbook, bool worked,
                              qint64 recoverMs);
    Result<QList<KnowledgeRow>> knowledge() const;

    /** Records a manual fix; the same steps for the same fingerprint count up one playbook. */
    Result<LearnedPlaybook> learn(const QString &fingerprint, const QString &service,
                                  const QList<PlaybookStep> &steps);
    Result<QList<LearnedPlaybook>> learned() const;

private:
    QString m_connection;
};

} // namespace Portoser
