// SPDX-License-Identifier: Apache-2.0
#include "widgets/DeployPanel.h"

#include "widgets/ClusterLink.h"
#include "widgets/Icons.h"
#include "widgets/StagedMoves.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <utility>

namespace Portoser {

DeployPanel::DeployPanel(ClusterLink *link, StagedMoves *staged, QWidget *parent)
    : QWidget(parent)
    , m_link(link)
    , m_staged(staged)
{
    m_list = new QListView(this);
    m_list->setObjectName(QStringLiteral("stagedList"));
    m_list->setModel(staged);
    m_list->setAccessibleName(tr("Staged changes"));
    m_undo = new QPushButton(tr("&Undo"), this);
    m_undo->setToolTip(tr("Drop the selected staged change"));
    m_undoAll = new QPushButton(tr("Undo &all"), this);
    m_plan = new QPushButton(tr("&Plan"), this);
    m_plan->setToolTip(tr("Show what deploying the staged changes would do, with config diffs"));
    m_deploy = new QPushButton(tr("&Deploy"), this);
    m_deploy->setObjectName(QStringLiteral("deployButton"));
    m_deploy->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_deploy->setToolTip(tr("Deploy the staged changes (Ctrl+Return)"));
    m_outOfDate = new QPushButton(this);
    m_outOfDate->setObjectName(QStringLiteral("outOfDateButton"));
    m_outOfDate->setVisible(false);
    m_cancel = new QPushButton(tr("&Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelDeployButton"));
    m_cancel->setToolTip(tr("Start no further service; those already started finish or revert"));
    Icons::set(m_undo, QStringLiteral("undo"));
    Icons::set(m_plan, QStringLiteral("plan"));
    Icons::set(m_deploy, QStringLiteral("deploy"));
    Icons::set(m_cancel, QStringLiteral("cancel"));
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_undo, m_undoAll, m_plan, m_deploy, m_cancel})
        buttons->addWidget(b);
    buttons->addStretch();
    buttons->addWidget(m_outOfDate);

    m_planTree = new QTreeWidget(this);
    m_planTree->setObjectName(QStringLiteral("planTree"));
    m_planTree->setHeaderLabels({tr("Service"), tr("Host"), tr("Action"), tr("Why")});
    m_planTree->setAccessibleName(tr("Deploy plan"));
    m_progress = new QTreeWidget(this);
    m_progress->setObjectName(QStringLiteral("deployProgress"));
    m_progress->setHeaderLabels({tr("Host / service"), tr("Step"), tr("Output")});
    m_progress->setAccessibleName(tr("Deploy progress"));
    m_progress->setToolTip(tr("Each host, its services and their steps as they run"));
    m_results = new QTreeWidget(this);
    m_results->setObjectName(QStringLiteral("deployResults"));
    m_results->setHeaderLabels({tr("Service"), tr("Host"), tr("Outcome"), tr("Record")});
    m_results->setAccessibleName(tr("Deploy results"));
    m_results->setToolTip(tr("Double-click a result to open its history record"));
    connect(m_results, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
        if (const qint64 id = item->data(3, Qt::UserRole).toLongLong(); id > 0)
            emit recordActivated(id);
    });
    m_status = new QLabel(tr("Drag a service onto another host to stage a move, or mark it for "
                             "redeploy from its menu."),
                          this);
    m_status->setObjectName(QStringLiteral("deployStatus"));
    m_status->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Staged changes"), this));
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    layout->addWidget(new QLabel(tr("Plan"), this));
    layout->addWidget(m_planTree, 2);
    layout->addWidget(new QLabel(tr("Progress"), this));
    layout->addWidget(m_progress, 2);
    layout->addWidget(new QLabel(tr("Results"), this));
    layout->addWidget(m_results, 1);

    connect(m_undo, &QPushButton::clicked, this,
            [this] { m_staged->undo(m_list->currentIndex().row()); });
    connect(m_undoAll, &QPushButton::clicked, m_staged, &StagedMoves::clear);
    connect(m_plan, &QPushButton::clicked, this, &DeployPanel::plan);
    connect(m_deploy, &QPushButton::clicked, this, &DeployPanel::deploy);
    connect(m_cancel, &QPushButton::clicked, this, &DeployPanel::cancel);
    connect(m_outOfDate, &QPushButton::clicked, this, &DeployPanel::deployOutOfDate);
    // Whatever ran, what is out of date may have changed.
    connect(this, &DeployPanel::deployed, this, &DeployPanel::checkOutOfDate);
    connect(m_staged, &StagedMoves::changed, this, [this] {
        m_planTree->clear();
        updateButtons();
    });
    updateButtons();
}

void DeployPanel::setRegistry(const Registry &registry)
{
    m_registry = registry;
    updateButtons();
    checkOutOfDate();
}

void DeployPanel::checkOutOfDate()
{
    if (!m_registry)
        return;
    if (m_checking) {
        m_checkAgain = true; // the registry or the hosts changed under the running look
        return;
    }
    m_checking = true;
    m_link->planDeploy(*m_registry).then(this, [this](const Result<DeployPlan> &plan) {
        m_checking = false;
        if (std::exchange(m_checkAgain, false)) {
            checkOutOfDate(); // what this look saw is already stale
            return;
        }
        m_outOfDateServices.clear();
        if (plan) {
            for (const PlannedService &p : plan->services) {
                if (p.action != PlanAction::NoOp)
                    m_outOfDateServices.append(p.service);
            }
        }
        const auto count = int(m_outOfDateServices.size());
        m_outOfDate->setText(tr("Deploy %n out of date", nullptr, count));
        m_outOfDate->setToolTip(
            tr("What a plain deploy would deploy now (registry edits, services never "
               "deployed): %1")
                .arg(m_outOfDateServices.join(QStringLiteral(", "))));
        m_outOfDate->setVisible(count > 0);
        updateButtons();
    });
}

void DeployPanel::deployOutOfDate()
{
    if (!m_registry || m_busy || m_outOfDateServices.isEmpty())
        return;
    const QStringList services = m_outOfDateServices;
    const Registry registry = *m_registry;
    m_progress->clear();
    m_results->clear();
    setBusy(true, tr("Deploying %n service(s) out of date…", nullptr, int(services.size())));
    const auto progress = [this](const DeployProgress &p) {
        QMetaObject::invokeMethod(
            this, [this, p] { showProgress(p); }, Qt::QueuedConnection);
    };
    m_link->deploy(registry, services, progress)
        .then(this, [this](const Result<QList<DeploymentRecord>> &done) {
            showResults(done, tr("Deploy"));
        });
}

void DeployPanel::showResults(const Result<QList<DeploymentRecord>> &done, const QString &what)
{
    if (!done) {
        new QTreeWidgetItem(m_results, {what, QString(), done.error().message});
        setBusy(false, tr("%1 failed.").arg(what));
        return;
    }
    bool ok = true;
    for (const DeploymentRecord &r : *done) {
        auto *item = new QTreeWidgetItem(
            m_results, {r.service, r.host, toString(r.outcome), QStringLiteral("#%1").arg(r.id)});
        item->setData(3, Qt::UserRole, r.id);
        item->setToolTip(2, r.reason);
        ok = ok && r.succeeded();
    }
    m_results->header()->resizeSections(QHeaderView::ResizeToContents);
    setBusy(false, ok ? tr("%1: done.").arg(what) : tr("%1 failed.").arg(what));
    emit deployed(*done);
}

void DeployPanel::updateButtons()
{
    const bool some = !m_staged->moves().isEmpty();
    m_undo->setEnabled(some && !m_busy);
    m_undoAll->setEnabled(some && !m_busy);
    m_plan->setEnabled(some && !m_busy && m_registry);
    // A viewer of a coordinator sees what would change, and that it may not change it.
    const bool mayChange = m_link->may(Role::Operator);
    m_outOfDate->setEnabled(mayChange && !m_busy && m_registry && !m_outOfDateServices.isEmpty());
    m_deploy->setEnabled(mayChange && some && !m_busy && m_registry);
    if (!mayChange) {
        m_deploy->setToolTip(roleNeeded(Role::Operator));
        m_outOfDate->setToolTip(roleNeeded(Role::Operator));
    }
    m_cancel->setEnabled(m_busy && m_cancelFlag && !m_cancelFlag->load());
}

void DeployPanel::setBusy(bool busy, const QString &status)
{
    m_busy = busy;
    m_status->setText(status);
    updateButtons();
}

namespace {

ChangeSet changesOf(const QList<StagedMove> &staged)
{
    ChangeSet changes;
    for (const StagedMove &m : staged) {
        if (m.isRedeploy())
            changes.redeploys.append(m.service);
        else
            changes.moves.insert(m.service, m.to);
    }
    return changes;
}

} // namespace

void DeployPanel::plan()
{
    if (!m_registry || m_busy)
        return;
    setBusy(true, tr("Planning…"));
    m_link->planChanges(*m_registry, changesOf(m_staged->moves()))
        .then(this, [this](Result<QList<PlannedService>> result) {
            m_planTree->clear();
            if (!result) {
                setBusy(false, tr("Planning failed: %1").arg(result.error().message));
                return;
            }
            for (const PlannedService &p : *result) {
                auto *item =
                    new QTreeWidgetItem(m_planTree, {p.service, p.host, toString(p.action), p.why});
                for (const QString &line : p.configDiff)
                    new QTreeWidgetItem(item, {QString(), QString(), QString(), line});
                item->setExpanded(true);
            }
            m_planTree->header()->resizeSections(QHeaderView::ResizeToContents);
            setBusy(false, tr("Planned: review, then Deploy."));
        });
}

void DeployPanel::deploy()
{
    if (!m_registry || m_busy || m_staged->moves().isEmpty())
        return;
    const QList<StagedMove> sent = m_staged->moves();
    const ChangeSet changes = changesOf(sent);
    const auto count = int(sent.size());
    const Registry registry = *m_registry;
    m_progress->clear();
    m_results->clear();
    setBusy(true, tr("Deploying %n change(s)…", nullptr, count));
    // From the worker's thread; queued to this panel, dropped with it.
    const auto progress = [this](const DeployProgress &p) {
        QMetaObject::invokeMethod(
            this, [this, p] { showProgress(p); }, Qt::QueuedConnection);
    };
    if (m_link->canCancel())
        m_cancelFlag = std::make_shared<std::atomic_bool>(false);
    updateButtons();
    m_link->deployChanges(registry, changes, m_cancelFlag, progress)
        .then(this, [this, sent](const ChangeResults &done) {
            for (const DeploymentRecord &r : done.records) {
                auto *item = new QTreeWidgetItem(m_results, {r.service, r.host, toString(r.outcome),
                                                             QStringLiteral("#%1").arg(r.id)});
                item->setData(3, Qt::UserRole, r.id);
                item->setToolTip(2, r.reason);
            }
            for (const QString &e : done.refused)
                new QTreeWidgetItem(m_results, {e, QString(), tr("refused")});
            m_results->header()->resizeSections(QHeaderView::ResizeToContents);
            m_staged->remove(sent); // what was staged while it ran stays
            m_planTree->clear();
            m_cancelFlag.reset();
            setBusy(false, done.refused.isEmpty() ? tr("Deploy finished.")
                                                  : tr("Deploy finished with errors."));
            emit deployed(done.records);
        });
}

void DeployPanel::runServiceAction(const QString &service, ServiceAction action)
{
    if (!m_registry || m_busy || !m_registry->services.contains(service))
        return;
    const Registry registry = *m_registry;
    m_progress->clear();
    m_results->clear();
    setBusy(true, tr("%1 %2…").arg(menuText(action), service));
    const auto progress = [this](const DeployProgress &p) {
        QMetaObject::invokeMethod(
            this, [this, p] { showProgress(p); }, Qt::QueuedConnection);
    };
    updateButtons();
    m_link->runServiceAction(registry, service, action, progress)
        .then(this, [this, service, action](const Result<QList<DeploymentRecord>> &done) {
            showResults(done, tr("%1 %2").arg(menuText(action), service));
        });
}

namespace {

/** The child of `parent` whose first column is `name`, made when missing. */
QTreeWidgetItem *childNamed(QTreeWidgetItem *parent, const QString &name)
{
    for (int i = 0; i < parent->childCount(); ++i) {
        if (parent->child(i)->text(0) == name)
            return parent->child(i);
    }
    auto *item = new QTreeWidgetItem(parent, {name});
    item->setExpanded(true);
    return item;
}

} // namespace

void DeployPanel::showProgress(const DeployProgress &e)
{
    // Host → service → its steps; the service's row says the step it is at and what it said.
    QTreeWidgetItem *host = childNamed(m_progress->invisibleRootItem(), e.host);
    QTreeWidgetItem *service = childNamed(host, e.service);
    const QString tail = e.detail.section(u'\n', -3, -1, QString::SectionSkipEmpty);
    auto *step = new QTreeWidgetItem(service, {QString(), toString(e.step), tail});
    step->setToolTip(2, e.detail);
    const bool ended = e.succeeded();
    const QString name = toString(e.step);
    service->setText(1, ended        ? QStringLiteral("✓ ") + name
                        : e.failed() ? QStringLiteral("✗ ") + name
                                     : name);
    service->setData(1, Qt::UserRole, ended || e.failed());
    service->setText(2, tail.section(u'\n', -1));
    service->setToolTip(2, e.detail);
    service->setExpanded(!ended); // a finished service folds away, a failed one stays open
    int finished = 0;
    for (int i = 0; i < host->childCount(); ++i)
        finished += host->child(i)->data(1, Qt::UserRole).toBool();
    host->setText(1, tr("%1 of %2 ended").arg(finished).arg(host->childCount()));
    m_progress->scrollToItem(ended ? service : step); // scrolling to a step would unfold it again
}

void DeployPanel::cancel()
{
    if (!m_cancelFlag)
        return;
    m_cancelFlag->store(true);
    m_status->setText(
        tr("Cancelling: services already started finish or revert; the rest do not start."));
    updateButtons();
}

} // namespace Portoser
