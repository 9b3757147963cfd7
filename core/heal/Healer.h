// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/DeployOptions.h"
#include "core/deploy/DeployPlan.h"
#include "core/deploy/DeployProgress.h"
#include "core/deploy/SecretAccess.h"
#include "core/heal/Diagnosis.h"
#include "core/heal/HealStore.h"
#include "core/heal/Playbook.h"

#include <functional>

namespace Portoser {

class DeployEngine;
class HistoryStore;
class HostPool;

struct HealOptions
{
    QStringList services;        // empty: every service whose heal is enabled
    QStringList fingerprints;    // only these problems are worked on (empty: all)
    qint64 backoffBaseMs = 1000; // the first retry waits this long, each next one twice as long
    qint64 backoffMaxMs = 300000;
    /** Hosts just observed with their facts (by a deploy's plan): used instead of a new look. */
    std::optional<QList<HostState>> observed;
};

/** One thing a pass did, or held back, for a service. */
struct HealAction
{
    QString service;
    QString host;
    QString fingerprint;
    QString playbook;
    QString step;
    QString outcome; // done | failed | waiting | given_up | reported | skipped
    QString detail;
    qint64 recordId = 0;
};

QJsonObject toJson(const HealAction &action);

/** What one observe → analyze → solve → learn pass found and did. */
struct HealReport
{
    Diagnosis diagnosis;
    QList<HealAction> actions;
    QList<HealEvent> events;
    IssueList playbookIssues; // operator playbooks that could not be used
    qint64 observeMs = 0;
};

/**
 * One pass of the self-healing loop (docs/healing.md) over a registry: observe every host once,
 * analyze, run the playbook of each problem within the service's restart budget (exponential
 * backoff, then `given up` until an operator acts), and learn what worked. Every restart is a
 * history record with actor `healer`; every change of state and every action is a heal event.
 */
class Healer
{
public:
    using EventSink = std::function<void(const HealEvent &)>;

    Healer(HostPool &pool, HistoryStore &history, SecretAccess secrets,
           QList<Playbook> operatorPlaybooks);

    Result<HealReport> pass(const Registry &registry, const HealOptions &options,
                            const EventSink &sink = {});
    /** Notes on `state` where the healer holds back with its service: given up (and why) or
     *  backing off (until when). What `status` shows beside what the host says. */
    static void describeStanding(const HistoryStore &history, ServiceState &state,
                                 const HealOptions &options = {});
    /** When the next restart after `restarts` (epoch seconds, newest last) may run: epoch ms. */
    static qint64 nextRestartAllowedMs(const QList<qint64> &restarts, const HealOptions &options);
    /** The playbook that would run for `fingerprint` on `service` (operator, learned, built-in). */
    const Playbook *playbookFor(const QString &fingerprint, const QString &service) const;

    static constexpr qint64 LogLimitBytes = 1 << 20;
    /** launchd does not start a job again within its ThrottleInterval (10 s by default). */
    static constexpr qint64 LaunchdThrottleSeconds = 10;

private:
    struct Context;
    void heal(Context &c, const Service &service, const ServiceDiagnosis &d);
    bool runStep(Context &c, const Service &service, const ServiceDiagnosis &d,
                 const Problem &problem, const Playbook &playbook, const PlaybookStep &step,
                 HealState &state);
    bool restart(Context &c, const Service &service, const ServiceDiagnosis &d,
                 const Problem &problem, const Playbook &playbook, HealState &state);
    /** Applies a restart plan with actor `healer`, never waiting long for a deploy's lock. */
    Result<QList<DeploymentRecord>> applyAsHealer(DeployEngine &engine, const Registry &registry,
                                                  const DeployPlan &plan);
    /** Ends a down period: the event, the credit to `playbook` (if any), the state cleared. */
    void recovered(Context &c, const QString &service, const QString &host, HealState &state,
                   const QString &playbook, qint64 recordId, const QString &byOperator = {});
    Result<QByteArray> runOnHost(const Host &host, const QString &script);
    void emitEvent(Context &c, HealEvent event);
    static bool operatorActedSince(const HistoryStore &history, const QString &service,
                                   qint64 epochSeconds);
    /** The newest record of `service` by someone other than the healer since then; with
     *  `onlyStartsThatWorked`, only a deploy, move, start, restart or rollback that succeeded. */
    static std::optional<DeploymentRecord> operatorActionSince(const HistoryStore &history,
                                                               const QString &service,
                                                               qint64 epochSeconds,
                                                               bool onlyStartsThatWorked = false);

    HostPool &m_pool;
    HistoryStore &m_history;
    HealStore m_store;
    SecretAccess m_secrets;     // the deploy engine's, so both plan alike
    QList<Playbook> m_operator; // operator files, then learned ones that were needed twice
    QList<Playbook> m_builtIn;
};

} // namespace Portoser
