// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/deploy/DeployOptions.h"
#include "core/deploy/DeployProgress.h"
#include "core/deploy/SecretAccess.h"
#include "core/deploy/ServiceState.h"
#include "core/heal/Diagnosis.h"
#include "core/heal/HealStore.h"
#include "core/heal/Healer.h"
#include "core/heal/Playbook.h"
#include "core/history/HistoryQuery.h"
#include "core/registry/Registry.h"

#include <memory>

namespace Portoser {

class DeployEngine;
class HistoryStore;
class HostPool;

/** A diagnosis with what the healer would do about each problem and where it stands. */
struct DiagnoseResult
{
    Diagnosis diagnosis;
    QMap<QString, QList<Playbook>> playbooks; // per service: one per problem, in order
    QMap<QString, HealState> healState;
    IssueList playbookIssues;
};

/** Every playbook the healer knows, with what the knowledge base counted for it. */
struct PlaybookInfo
{
    Playbook playbook;
    KnowledgeRow stats;
    int frequency = 0; // learned: how often an operator recorded it
};

/**
 * The self-healing loop's steps as operations: observe (with the healer's standing beside each
 * service), analyze, heal one pass, and learn, over the playbooks of a directory, the built-in
 * ones and those operators recorded.
 */
class HealService
{
public:
    HealService(HostPool &pool, StoreAccess store, SecretAccess secrets, QString playbookDirectory);

    /** Observed state of `services` (all when empty), hosts asked in parallel. */
    QMap<QString, ServiceState> status(const Registry &registry, const QStringList &services = {});
    /** Hosts (their disk, memory, listeners) and services, one round trip per host. */
    QList<HostState> observe(const Registry &registry, const QStringList &services,
                             const QStringList &hosts = {}, bool allPortHolders = false);
    /** Observes and analyzes `services` (all when empty) and what they depend on. */
    Result<DiagnoseResult> diagnose(const Registry &registry, const QStringList &services = {});
    /** One pass of the self-healing loop. */
    Result<HealReport> heal(const Registry &registry, const HealOptions &options,
                            const Healer::EventSink &sink = {});
    /** A service's problems and recoveries, from its heal events. */
    Result<ServiceInsights> insights(const Registry &registry, const QString &service);
    Result<QList<PlaybookInfo>> playbooks();
    /** Records an operator's fix for `fingerprint` (it becomes a playbook with a frequency). */
    Result<LearnedPlaybook> learn(const QString &fingerprint, const QString &service,
                                  const QList<PlaybookStep> &steps);

private:
    Result<std::unique_ptr<Healer>> makeHealer(IssueList *playbookIssues = nullptr);

    HostPool &m_pool;
    StoreAccess m_store;
    SecretAccess m_secrets;
    QString m_playbookDirectory;
};

} // namespace Portoser
