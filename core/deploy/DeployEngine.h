// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/DeployPlan.h"
#include "core/deploy/HostPool.h"
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

struct DeployOptions
{
    QString actor = QStringLiteral("cli");
    bool autoHeal = true;                      // run the healer around the deploy (Orchestrator)
    bool force = false;                        // redeploy services the plan finds unchanged
    std::chrono::milliseconds lockWait{30000}; // how long to wait for another deploy of a service
    /** The values of a service's `secrets:` (VAR -> value), fetched on the coordinator just
     *  before its deploy; they go only into the env file on the worker. */
    std::function<Result<QMap<QString, QString>>(const Service &)> secrets;
    /** Set (from any thread) to start no further service: those already started finish their
     *  deploy or revert, the rest end `cancelled` without touching their hosts. */
    std::shared_ptr<const std::atomic_bool> cancel;

    bool isCancelled() const { return cancel && cancel->load(); }
};

/**
 * Plans and applies deploys (DESIGN.md §4): waves in dependency order, one HostWorker per host
 * (hosts in parallel, one host's services in order), the release/activate/health-gate/revert
 * sequence per service, and a history record for each. A failed service stops its dependents.
 */
class DeployEngine
{
public:
    DeployEngine(HostPool &pool, HistoryStore &history);

    /** The version of each secret a service uses (VAR -> number). In the planned config, so a
     *  rotated secret shows in the diff and plans a restart of exactly the services using it. */
    using SecretVersions = std::function<Result<QJsonObject>(const Service &)>;
    void setSecretVersions(SecretVersions versions) { m_secretVersions = std::move(versions); }

    /** What deploying `services` (all when empty) and what they need would do. Touches no host
     *  beyond read-only observation. */
    Result<DeployPlan> plan(const Registry &registry, const QStringList &services,
                            bool force = false);
    /** The plan of a restart (or start) of `services` on their current release. */
    Result<DeployPlan> planRestart(const Registry &registry, const QStringList &services);
    /** Applies `plan` if the registry and hosts still look as they did when it was made. */
    Result<QList<DeploymentRecord>> apply(const Registry &registry, const DeployPlan &plan,
                                          const DeployOptions &options,
                                          const ProgressFn &progress = {});
    /** Takes the locks of `services` (all when empty), then plans them: "deploy now" without
     *  a review in between, one look at the hosts instead of two. */
    Result<LockedPlan> planLocked(const Registry &registry, const QStringList &services,
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
    Result<DeployPlan> makePlan(const Registry &registry, const QStringList &services, bool force,
                                bool hostFactsForChanges);
    Result<QList<DeploymentRecord>> run(const Registry &registry, const DeployPlan &plan,
                                        const DeployOptions &options, const ProgressFn &progress);

    HostPool &m_pool;
    HistoryStore &m_history;
    SecretVersions m_secretVersions;
};

} // namespace Portoser
