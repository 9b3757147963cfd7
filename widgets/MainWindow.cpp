// SPDX-License-Identifier: Apache-2.0
#include "widgets/MainWindow.h"

#include "core/Orchestrator.h"
#include "core/heal/HealLoop.h"
#include "core/registry/RegistryLocator.h"
#include "widgets/SecretsPage.h"

#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QTreeWidget>
#include <QtConcurrent>

namespace Portoser {

MainWindow::MainWindow(const QString &registryPath, QWidget *parent)
    : QMainWindow(parent)
    , m_registryPath(RegistryLocator::fromProcess(registryPath).resolve())
{
    setWindowTitle(tr("Portoser — %1").arg(m_registryPath));
    resize(960, 640);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_clusterTree = new QTreeWidget(splitter);
    m_clusterTree->setObjectName(QStringLiteral("clusterTreeWidget"));
    m_clusterTree->setHeaderLabels({tr("Host / service"), tr("Type"), tr("Port"), tr("Address")});
    m_clusterTree->setAccessibleName(tr("Hosts and services"));
    m_issuesTree = new QTreeWidget(splitter);
    m_issuesTree->setObjectName(QStringLiteral("issuesTreeWidget"));
    m_issuesTree->setHeaderLabels({tr("Severity"), tr("Location"), tr("Problem")});
    m_issuesTree->setAccessibleName(tr("Registry problems"));
    m_healEvents = new QListWidget(splitter);
    m_healEvents->setObjectName(QStringLiteral("healEventsList"));
    m_healEvents->setAccessibleName(tr("Self-heal events"));
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setStretchFactor(2, 1);
    auto *pages = new QTabWidget(this);
    pages->setObjectName(QStringLiteral("pagesTabWidget"));
    pages->setDocumentMode(true);
    pages->addTab(splitter, tr("&Cluster"));
    m_secretsPage = new SecretsPage(OrchestratorSettings{}, pages);
    m_secretsPage->setObjectName(QStringLiteral("secretsPage"));
    pages->addTab(m_secretsPage, tr("&Secrets"));
    setCentralWidget(pages);
    m_statusLabel = new QLabel(tr("Loading %1…").arg(m_registryPath), this);
    statusBar()->addWidget(m_statusLabel);
    m_watchdogLabel = new QLabel(tr("Watchdog off"), this);
    m_watchdogLabel->setObjectName(QStringLiteral("watchdogLabel"));
    statusBar()->addPermanentWidget(m_watchdogLabel);

    QToolBar *toolbar = addToolBar(tr("Cluster"));
    toolbar->setObjectName(QStringLiteral("clusterToolBar"));
    m_watchdogAction = toolbar->addAction(tr("Watchdog"));
    m_watchdogAction->setObjectName(QStringLiteral("watchdogAction"));
    m_watchdogAction->setCheckable(true);
    m_watchdogAction->setEnabled(false); // until a valid registry is loaded
    m_watchdogAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H));
    m_watchdogAction->setToolTip(
        tr("Run the self-heal watchdog: observe, diagnose and fix services on a timer"));
    connect(m_watchdogAction, &QAction::toggled, this, &MainWindow::setWatchdogRunning);

    // Reading and validating touches the disk: keep it off the GUI thread.
    auto *watcher = new QFutureWatcher<CheckedRegistry>(this);
    connect(watcher, &QFutureWatcher<CheckedRegistry>::finished, this, [this, watcher] {
        showRegistry(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(
        QtConcurrent::run([path = m_registryPath] { return Orchestrator().checkRegistry(path); }));
}

MainWindow::~MainWindow() = default;

void MainWindow::setWatchdogRunning(bool running)
{
    if (!m_registry)
        return;
    if (!running) {
        if (m_healLoop)
            m_healLoop->pause();
        m_watchdogLabel->setText(tr("Watchdog paused"));
        return;
    }
    if (!m_healLoop) {
        m_healLoop = std::make_unique<HealLoop>(OrchestratorSettings{}, *m_registry);
        connect(m_healLoop.get(), &HealLoop::event, this,
                [this](const HealEvent &e) { m_healEvents->insertItem(0, toText(e)); });
        connect(m_healLoop.get(), &HealLoop::passFinished, this,
                [this](int services, int problems, qint64 ms) {
                    m_watchdogLabel->setText(tr("Watchdog: %1 services, %2 with problems (%3 ms)")
                                                 .arg(services)
                                                 .arg(problems)
                                                 .arg(ms));
                });
    }
    m_healLoop->resume();
    m_watchdogLabel->setText(tr("Watchdog starting…"));
}

void MainWindow::showRegistry(const CheckedRegistry &checked)
{
    const Registry &registry = checked.registry;
    for (const Host &host : registry.hosts) {
        auto *hostItem =
            new QTreeWidgetItem(m_clusterTree, {host.name, host.arch, QString(), host.address()});
        for (const Service *s : registry.servicesOn(host.name)) {
            const auto port = s->effectivePort();
            new QTreeWidgetItem(hostItem, {s->name, toString(s->type),
                                           port ? QString::number(*port) : QString(), s->hostname});
        }
        hostItem->setExpanded(true);
    }
    m_clusterTree->header()->resizeSections(QHeaderView::ResizeToContents);
    for (const Issue &issue : checked.issues)
        new QTreeWidgetItem(m_issuesTree, {issue.isError() ? tr("error") : tr("warning"),
                                           issue.where.toString(), issue.message});
    m_issuesTree->header()->resizeSections(QHeaderView::ResizeToContents);
    m_secretsPage->setRegistry(registry);
    if (checked.isValid()) {
        m_registry = registry;
        m_watchdogAction->setEnabled(true);
    }
    m_statusLabel->setText(tr("%1 hosts, %2 services, %3 errors, %4 warnings")
                               .arg(registry.hosts.size())
                               .arg(registry.services.size())
                               .arg(errorCount(checked.issues))
                               .arg(warningCount(checked.issues)));
}

} // namespace Portoser
