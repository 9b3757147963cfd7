// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/ServiceDeployer.h"
#include "core/history/DeploymentRecord.h"
#include "core/registry/Registry.h"
#include "widgets/ServiceAction.h"

#include <QWidget>

#include <atomic>
#include <memory>
#include <optional>

class QLabel;
class QListView;
class QPushButton;
class QTreeWidget;

namespace Portoser {

class ClusterLink;
class StagedMoves;

/**
 * The staged changes and what deploying them would do: the plan per service (no-op, fresh,
 * restart, update, move) with its config diff, then Deploy with live per-host, per-step progress
 * and the result of each service with its history record. The work runs where the window's
 * link to the cluster says (this computer, or a coordinator's jobs).
 */
class DeployPanel : public QWidget
{
    Q_OBJECT

public:
    DeployPanel(ClusterLink *link, StagedMoves *staged, QWidget *parent = nullptr);

    void setRegistry(const Registry &registry);
    /** Plans the staged moves (the registry as it would be after them); shows the plan. */
    void plan();
    /** Runs the staged moves one after another, then the marked redeploys; clears them. */
    void deploy();
    /** Starts no further service; those already started finish (deploy or revert). */
    void cancel();
    /** Starts, stops or restarts `service` on the release it is deployed with (as the CLI's
     *  start/stop/restart), its steps and result shown here like a deploy's. */
    void runServiceAction(const QString &service, ServiceAction action);
    /** Plans a plain deploy (registry edits, never-deployed services) and offers it:
     *  "Deploy 3 out of date". */
    void checkOutOfDate();
    /** Deploys what checkOutOfDate found, as `portoser --cli deploy` would. */
    void deployOutOfDate();
    QStringList outOfDate() const { return m_outOfDateServices; }
    bool isCheckingOutOfDate() const { return m_checking; }
    bool isBusy() const { return m_busy; }

signals:
    /** A deploy ended (the registry file and history changed). */
    void deployed(const QList<DeploymentRecord> &records);
    /** The operator opened a result's history record. */
    void recordActivated(qint64 recordId);

private:
    void setBusy(bool busy, const QString &status);
    void showProgress(const DeployProgress &progress);
    void updateButtons();
    /** Lists `done`'s records under Results and says how it ended. */
    void showResults(const Result<QList<DeploymentRecord>> &done, const QString &what);

    ClusterLink *m_link;
    QPushButton *m_outOfDate;
    QStringList m_outOfDateServices;
    bool m_checking = false;
    bool m_checkAgain = false; // asked again while a look ran: look once more when it ends
    StagedMoves *m_staged;
    std::optional<Registry> m_registry;
    QListView *m_list;
    QPushButton *m_undo;
    QPushButton *m_undoAll;
    QPushButton *m_plan;
    QPushButton *m_deploy;
    QPushButton *m_cancel;
    std::shared_ptr<std::atomic_bool> m_cancelFlag; // of the deploy running now
    QTreeWidget *m_planTree;
    QTreeWidget *m_progress; // host → service → steps
    QTreeWidget *m_results;
    QLabel *m_status;
    bool m_busy = false;
};

} // namespace Portoser
