// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/deploy/DeployOptions.h"
#include "core/deploy/DeployPlan.h"
#include "core/deploy/DeployProgress.h"
#include "core/deploy/SecretAccess.h"
#include "core/deploy/ServiceState.h"
#include "core/history/HistoryQuery.h"
#include "core/registry/Registry.h"
#include "core/workflow/ChangeSet.h"

#include <functional>
#include <optional>

namespace Portoser {

class DeployEngine;
class HealService;
class HistoryStore;
class HostPool;
class ProxyService;

/**
 * Every operation that changes what runs where, around the one planner and engine: deploy (with
 * the healer's help before and its diagnosis after: the heal-around policy lives here only),
 * start/restart/stop, move (with the registry edit and the proxy route), rollback, and the
 * window's staged changes.
 */
class DeployWorkflow
{
public:
    DeployWorkflow(HostPool &pool, StoreAccess store, SecretAccess secrets, HealService &heal,
                   ProxyService &proxy);

    /** What `request` would do (`deploy --dry-run`, and what a start or restart will run). */
    Result<DeployPlan> plan(const Registry &registry, const PlanRequest &request);
    /** What staged changes plan to, on the registry as the moves will leave it (redeploys as
     *  `deploy --force`); for review, each part is planned again when it runs. */
    Result<QList<PlannedService>> planChanges(const Registry &registry, const ChangeSet &changes);
    /** Runs the changes: each move in turn, then the redeploys; a change that cannot start says
     *  why in `refused`. `options.cancel` stops what has not started. */
    ChangeResults deployChanges(const Registry &registry, const ChangeSet &changes,
                                DeployOptions options, const ProgressFn &progress = {});
    /** Applies a reviewed plan, if the hosts and registry still match it. */
    Result<QList<DeploymentRecord>> deploy(const Registry &registry, const DeployPlan &plan,
                                           const DeployOptions &options,
                                           const ProgressFn &progress = {});
    /** Deploys `services` (all when empty) now: locks, plans and applies with one look at the
     *  hosts. */
    Result<QList<DeploymentRecord>> deploy(const Registry &registry, const QStringList &services,
                                           const DeployOptions &options,
                                           const ProgressFn &progress = {});
    Result<DeploymentRecord> stop(const Registry &registry, const QString &service,
                                  const QString &actor);
    /** Starts or restarts exactly what `request` names, on the release and config they are
     *  deployed with. */
    Result<QList<DeploymentRecord>> restart(const Registry &registry, const PlanRequest &request,
                                            const DeployOptions &options,
                                            const ProgressFn &progress = {});
    /** Moves `service` to `host`: checks the target can run it, deploys it there, passes the
     *  health gate, stops the old instance, then writes `current_host` into the registry file
     *  and points its proxy route there. */
    Result<QList<DeploymentRecord>> move(const Registry &registry, const QString &service,
                                         const QString &host, const DeployOptions &options,
                                         const ProgressFn &progress = {});
    Result<DeploymentRecord> rollback(const Registry &registry, qint64 recordId,
                                      const DeployOptions &options,
                                      const ProgressFn &progress = {});

    /** The arch a host is known to have: the registry's, else what it reported last. */
    using ArchLookup = std::function<QString(const QString &host)>;
    /** Why `service` cannot run on `host`, or nothing when it can (also what a GUI drop shows).
     *  Arches the registry leaves out come from `knownArch` when given; a host that `lastSeen`
     *  (the caller's last observation) found unreachable is refused too. */
    static std::optional<QString> moveRefusal(const Registry &registry, const QString &service,
                                              const QString &host, const ArchLookup &knownArch = {},
                                              const QMap<QString, HostState> &lastSeen = {});

private:
    template <typename Fn>
    auto withEngine(Fn fn) -> decltype(fn(std::declval<DeployEngine &>()));
    /** Before a deploy: frees disk and names port holders where the plan changes services. */
    void healBeforeDeploy(const Registry &registry, const DeployPlan &plan,
                          const ProgressFn &progress);
    /** After a deploy: the diagnosis of each service that did not end up running, as progress. */
    void diagnoseFailures(const Registry &registry, const QList<DeploymentRecord> &records,
                          const ProgressFn &progress);

    HostPool &m_pool;
    StoreAccess m_store;
    SecretAccess m_secrets;
    HealService &m_heal;
    ProxyService &m_proxy;
};

} // namespace Portoser
