// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Orchestrator.h"
#include "widgets/ClusterLink.h"

#include <memory>

namespace Portoser {

class OrchestratorThread;

/**
 * The cluster reached from this computer: its own SSH sessions, history store and secrets.
 * Four threads, so that nothing waits behind what it does not need: a deploy never holds up the
 * history page, nor a log or a diagnosis of another host (on the host it deploys to, they wait
 * for the step running there: one SSH session per host), a hung host's observation delays
 * neither, and the out-of-date look never delays an observation.
 */
class LocalLink : public ClusterLink
{
    Q_OBJECT

public:
    explicit LocalLink(const OrchestratorSettings &settings, QObject *parent = nullptr);
    ~LocalLink() override;

    /** Store, secrets or host-key settings changed: every thread reopens with these. */
    void setSettings(const OrchestratorSettings &settings);
    /** Whether an observation is still running (a new one is not queued behind it). */
    bool isObserving() const;

    QString where() const override;
    bool isRemote() const override { return false; }
    Role role() const override { return Role::Admin; }
    QFuture<CheckedRegistry> loadRegistry(const QString &path) override;
    QFuture<Observation> observe(const Registry &registry, bool fresh) override;
    QFuture<Result<DeployPlan>> planDeploy(const Registry &registry) override;
    QFuture<Result<QList<DeploymentRecord>>>
    deploy(const Registry &registry, const QStringList &services, ProgressFn progress) override;
    QFuture<Result<QList<PlannedService>>> planChanges(const Registry &registry,
                                                       const ChangeSet &changes) override;
    QFuture<ChangeResults> deployChanges(const Registry &registry, const ChangeSet &changes,
                                         CancelFlag cancel, ProgressFn progress) override;
    bool canCancel() const override { return true; }
    QFuture<Result<QList<DeploymentRecord>>> runServiceAction(const Registry &registry,
                                                              const QString &service,
                                                              ServiceAction action,
                                                              ProgressFn progress) override;
    QFuture<Result<QList<DeploymentRecord>>> history(const HistoryQuery &query) override;
    QFuture<Result<DeploymentRecord>> rollback(const Registry &registry, qint64 id) override;
    QFuture<Result<QByteArray>> logs(const Registry &registry, const QString &service,
                                     int lines) override;
    QFuture<Result<DiagnoseResult>> diagnose(const Registry &registry) override;
    QFuture<Result<QList<HealEvent>>> healEvents(int limit) override;

private:
    std::unique_ptr<OrchestratorThread> m_worker;   // deploys, plans, rollbacks
    std::unique_ptr<OrchestratorThread> m_reads;    // history, logs, diagnoses, heal events
    std::unique_ptr<OrchestratorThread> m_observer; // observations only
    std::unique_ptr<OrchestratorThread> m_planner;  // what a plain deploy would do (out of date)
};

} // namespace Portoser
