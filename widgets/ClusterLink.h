// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/access/Access.h"
#include "core/deploy/DeployPlan.h"
#include "core/deploy/DeployProgress.h"
#include "core/deploy/ServiceState.h"
#include "core/heal/HealStore.h"
#include "core/history/HistoryQuery.h"
#include "core/registry/Registry.h"
#include "core/workflow/ChangeSet.h"
#include "widgets/ServiceAction.h"

#include <QFuture>
#include <QObject>

#include <atomic>
#include <memory>
#include <optional>

namespace Portoser {

struct DiagnoseResult;

/** What one look at the cluster found: the hosts with their services and, with an ingress, each
 *  service's public URL and its route's state. */
struct Observation
{
    struct Route
    {
        QString url;
        QString state;
    };
    QList<HostState> hosts;
    std::optional<QMap<QString, Route>> routes;
};

using CancelFlag = std::shared_ptr<std::atomic_bool>;

/**
 * Where the window acts. Either this computer (LocalLink: its own SSH sessions, store and
 * watchdog) or a coordinator running `--serve` (CoordinatorLink: its HTTP API and event stream,
 * its sessions, history and healer). The pages ask this and never know which: one window, two
 * ways to reach a cluster. Futures finish on the caller's thread when continued with
 * `.then(widget, …)`; progress may arrive on any thread (the panel queues it to itself).
 */
class ClusterLink : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    /** "This computer" or the coordinator's URL, for the title and the status bar. */
    virtual QString where() const = 0;
    virtual bool isRemote() const = 0;
    /** What the window may do here: everything on this computer; through a coordinator, what
     *  the coordinator grants our credential. */
    virtual Role role() const = 0;
    bool may(Role needed) const { return int(role()) >= int(needed); }
    /** Who the coordinator takes us for ("token:ops", "oidc:alice"); empty on this computer. */
    virtual QString principal() const { return {}; }

    /** The registry with its problems: this computer reads `path`; a coordinator answers with
     *  the one it runs (the path is its own). */
    virtual QFuture<CheckedRegistry> loadRegistry(const QString &path) = 0;
    /** The hosts and services as they are: `fresh` asks every host now, otherwise what the
     *  watchdog saw last will do where there is one (a coordinator). */
    virtual QFuture<Observation> observe(const Registry &registry, bool fresh) = 0;
    /** What a plain `deploy` would do now (registry edits, services never deployed). */
    virtual QFuture<Result<DeployPlan>> planDeploy(const Registry &registry) = 0;
    virtual QFuture<Result<QList<DeploymentRecord>>>
    deploy(const Registry &registry, const QStringList &services, ProgressFn progress) = 0;
    virtual QFuture<Result<QList<PlannedService>>> planChanges(const Registry &registry,
                                                               const ChangeSet &changes) = 0;
    /** `cancel` set: no further service starts (this computer only; a coordinator's job runs
     *  to its end). */
    virtual QFuture<ChangeResults> deployChanges(const Registry &registry, const ChangeSet &changes,
                                                 CancelFlag cancel, ProgressFn progress) = 0;
    virtual bool canCancel() const = 0;
    virtual QFuture<Result<QList<DeploymentRecord>>> runServiceAction(const Registry &registry,
                                                                      const QString &service,
                                                                      ServiceAction action,
                                                                      ProgressFn progress) = 0;
    virtual QFuture<Result<QList<DeploymentRecord>>> history(const HistoryQuery &query) = 0;
    virtual QFuture<Result<DeploymentRecord>> rollback(const Registry &registry, qint64 id) = 0;
    virtual QFuture<Result<QByteArray>> logs(const Registry &registry, const QString &service,
                                             int lines) = 0;
    virtual QFuture<Result<DiagnoseResult>> diagnose(const Registry &registry) = 0;
    virtual QFuture<Result<QList<HealEvent>>> healEvents(int limit) = 0;

signals:
    /** The registry changed where it is kept (a coordinator reloaded it): load it again. */
    void registryChanged();
    /** Services changed state somewhere (another client's deploy, the healer): observe again. */
    void statesChanged();
    /** A job ended somewhere (this window's or anyone's): the history has news. */
    void historyChanged();
    /** The coordinator's healer did something. */
    void healEvent(const HealEvent &event);
    /** The link to the coordinator came up or went down (`detail` says why). */
    void connectionChanged(bool connected, const QString &detail);
};

/** The role an action needs, for a disabled control's tooltip: "needs the operator role". */
QString roleNeeded(Role role);

} // namespace Portoser
