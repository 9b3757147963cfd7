// SPDX-License-Identifier: Apache-2.0
#include "widgets/MainWindow.h"

#include "core/Orchestrator.h"
#include "core/registry/RegistryLocator.h"

#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QStatusBar>
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
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    setCentralWidget(splitter);
    m_statusLabel = new QLabel(tr("Loading %1…").arg(m_registryPath), this);
    statusBar()->addWidget(m_statusLabel);

    // Reading and validating touches the disk: keep it off the GUI thread.
    auto *watcher = new QFutureWatcher<CheckedRegistry>(this);
    connect(watcher, &QFutureWatcher<CheckedRegistry>::finished, this, [this, watcher] {
        showRegistry(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(
        QtConcurrent::run([path = m_registryPath] { return Orchestrator().checkRegistry(path); }));
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
    m_statusLabel->setText(tr("%1 hosts, %2 services, %3 errors, %4 warnings")
                               .arg(registry.hosts.size())
                               .arg(registry.services.size())
                               .arg(errorCount(checked.issues))
                               .arg(warningCount(checked.issues)));
}

} // namespace Portoser
