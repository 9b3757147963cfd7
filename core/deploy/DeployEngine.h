// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/DeployOptions.h"
#include "core/deploy/DeployPlan.h"
#include "core/deploy/HostPool.h"
#include "core/deploy/SecretAccess.h"
#include "core/deploy/ServiceDeployer.h"
#include "core/deploy/ServiceLock.h"
#include "core/history/DeploymentRecord.h"

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace Portoser {

class HistoryStore;

/** A plan made while holding the locks of every service it covers: true until they are let go,
 *  so applying it needs no second look at the hosts. */
struct LockedPlan
{
    DeployPlan plan;
    std::vector<std::unique_ptr<ServiceLock>> locks;
};

/**
 * Plans and applies deploys (docs/deploy.md): waves in dependency order, one HostWorker per host
 * (hosts in parallel, one host's services in order), the release/activate/health-gate/revert
 * sequence per service, and a history record for each. A failed service stops its dependents.
 */
class DeployEngine
{
public:
    DeployEngine(HostPool &pool, HistoryStore &history, SecretAccess secrets);

    /**
     * What `request` would do to each service it names and to what they need: the one planner
     * of deploy, start, restart and the healer. Touches no host beyond read-only observation.
     */
    Result<DeployPlan> plan(const Registry &registry, const PlanRequest &request);
    /** Applies `plan` if the registry and hosts still look as they did when it was made. */
    Result<QList<DeploymentRecord>> apply(const Registry &registry, const DeployPlan &plan,
                                          const DeployOptions &options,
                                          const ProgressFn &progress = {});
    /** Takes the locks of `services` (all when empty), then plans them: "deploy now" without
     *  a review in between, one look at the hosts instead of two. */
    Result<LockedPlan> planLocked(const Registry &registry, const PlanRequest &request,
                                  const DeployOptions &options);
    Result<QList<DeploymentRecord>> apply(const Registry &registry, const LockedPlan &locked,
                                          const DeployOptions &options,
                                          const ProgressFn &progress = {});
    /**
     * Re-deploys the release and config snapshot of history record `recordId` (the release must
     * still be on the host). The registry file is not changed: the next plan shows the difference.
     */
    Result<DeploymentRecord> rollback(const Registry &registry, qint64 recordId,
                                      const DeployOptions &options,
                                      const ProgressFn &progress = {});
    /** Stops `service` on `host` and records it. */
    Result<DeploymentRecord> stop(const Registry &registry, const QString &service,
                                  const QString &actor);

private:
    Result<DeployPlan> makePlan(const Registry &registry, const PlanRequest &request,
                                bool hostFactsForChanges);
    /** A start/restart entry: what the last successful record installed, on the host it ran. */
    static void planRerun(PlannedService &p, const DeploymentRecord &deployed,
                          const ServiceState &state, bool restart);
    Result<QList<DeploymentRecord>> run(const Registry &registry, const DeployPlan &plan,
                                        const DeployOptions &options, const ProgressFn &progress);

    HostPool &m_pool;
    HistoryStore &m_history;
    SecretAccess m_secrets;
};

} // namespace Portoser
