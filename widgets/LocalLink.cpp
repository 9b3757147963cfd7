// SPDX-License-Identifier: Apache-2.0
#include "widgets/LocalLink.h"

#include "core/Actor.h"
#include "core/heal/HealService.h"
#include "core/runtime/OrchestratorThread.h"

#include <QtConcurrent>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

DeployOptions guiOptions()
{
    DeployOptions options;
    options.actor = localActor(u"gui"_s);
    return options;
}

} // namespace

LocalLink::LocalLink(const OrchestratorSettings &settings, QObject *parent)
    : ClusterLink(parent)
    , m_worker(std::make_unique<OrchestratorThread>(settings, u"gui"_s))
    , m_reads(std::make_unique<OrchestratorThread>(settings, u"gui-reads"_s))
    , m_observer(std::make_unique<OrchestratorThread>(settings, u"gui-observe"_s))
    , m_planner(std::make_unique<OrchestratorThread>(settings, u"gui-plan"_s))
{}

LocalLink::~LocalLink() = default;

void LocalLink::setSettings(const OrchestratorSettings &settings)
{
    for (OrchestratorThread *t : {m_worker.get(), m_reads.get(), m_observer.get(), m_planner.get()})
        t->setSettings(settings);
}

bool LocalLink::isObserving() const
{
    return m_observer->pending() > 0;
}

QString LocalLink::where() const
{
    return tr("This computer");
}

QFuture<CheckedRegistry> LocalLink::loadRegistry(const QString &path)
{
    // Reading and validating touches the disk: off the GUI thread.
    return QtConcurrent::run([path] { return Orchestrator().checkRegistry(path); });
}

QFuture<Observation> LocalLink::observe(const Registry &registry, bool /*fresh: always*/)
{
    return m_observer->call([registry](Orchestrator &o) {
        Observation seen;
        seen.hosts = o.observe(registry, registry.services.keys(), registry.hosts.keys());
        if (registry.caddy.present) { // each service's URL and whether its route is right
            seen.routes.emplace();
            for (const Orchestrator::RouteStatus &r : o.routeStatus(registry))
                seen.routes->insert(
                    r.service,
                    {r.url, r.detail.isEmpty() ? r.state : r.state + u": "_s + r.detail});
        }
        return seen;
    });
}

QFuture<Result<DeployPlan>> LocalLink::planDeploy(const Registry &registry)
{
    return m_planner->call([registry](Orchestrator &o) { return o.planDeploy(registry, {}); });
}

QFuture<Result<QList<DeploymentRecord>>>
LocalLink::deploy(const Registry &registry, const QStringList &services, ProgressFn progress)
{
    return m_worker->call([registry, services, progress](Orchestrator &o) {
        return o.deploy(registry, services, guiOptions(), progress);
    });
}

QFuture<Result<QList<PlannedService>>> LocalLink::planChanges(const Registry &registry,
                                                              const ChangeSet &changes)
{
    return m_worker->call(
        [registry, changes](Orchestrator &o) { return o.planChanges(registry, changes); });
}

QFuture<ChangeResults> LocalLink::deployChanges(const Registry &registry, const ChangeSet &changes,
                                                CancelFlag cancel, ProgressFn progress)
{
    return m_worker->call([registry, changes, cancel, progress](Orchestrator &o) {
        DeployOptions options = guiOptions();
        options.cancel = cancel;
        return o.deployChanges(registry, changes, options, progress);
    });
}

QFuture<Result<QList<DeploymentRecord>>> LocalLink::runServiceAction(const Registry &registry,
                                                                     const QString &service,
                                                                     ServiceAction action,
                                                                     ProgressFn progress)
{
    return m_worker->call([registry, service, action, progress](Orchestrator &o) {
        const DeployOptions options = guiOptions();
        if (action == ServiceAction::Stop) {
            auto stopped = o.stop(registry, service, options.actor);
            return stopped ? Result<QList<DeploymentRecord>>(QList{*stopped})
                           : Result<QList<DeploymentRecord>>(stopped.error());
        }
        const PlanRequest request{
            action == ServiceAction::Start ? PlanIntent::Start : PlanIntent::Restart, {service}};
        return o.restart(registry, request, options, progress);
    });
}

QFuture<Result<QList<DeploymentRecord>>> LocalLink::history(const HistoryQuery &query)
{
    return m_reads->call([query](Orchestrator &o) { return o.history(query); });
}

QFuture<Result<DeploymentRecord>> LocalLink::rollback(const Registry &registry, qint64 id)
{
    return m_worker->call(
        [registry, id](Orchestrator &o) { return o.rollback(registry, id, guiOptions()); });
}

QFuture<Result<QByteArray>> LocalLink::logs(const Registry &registry, const QString &service,
                                            int lines)
{
    return m_reads->call(
        [registry, service, lines](Orchestrator &o) { return o.logs(registry, service, lines); });
}

QFuture<Result<DiagnoseResult>> LocalLink::diagnose(const Registry &registry)
{
    return m_reads->call([registry](Orchestrator &o) { return o.diagnose(registry); });
}

QFuture<Result<QList<HealEvent>>> LocalLink::healEvents(int limit)
{
    return m_reads->call([limit](Orchestrator &o) { return o.healEvents(QString(), limit); });
}

} // namespace Portoser
