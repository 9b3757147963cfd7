// SPDX-License-Identifier: Apache-2.0
#include "widgets/MainWindow.h"

#include "core/Orchestrator.h"
#include "core/api/OrchestratorThread.h"
#include "core/heal/HealLoop.h"
#include "core/registry/RegistryLocator.h"
#include "widgets/BackToGui.h"
#include "widgets/DeployPanel.h"
#include "widgets/HealthPage.h"
#include "widgets/HistoryPage.h"
#include "widgets/LogsPage.h"
#include "widgets/SecretsPage.h"
#include "widgets/StagedMoves.h"
#include "widgets/TopologyView.h"

#include <QCloseEvent>
#include <QDesktopServices>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileSystemWatcher>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>
#include <QUrl>
#include <QtConcurrent>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

MainWindow::MainWindow(const QString &registryPath, QWidget *parent)
    : QMainWindow(parent)
    , m_registryPath(RegistryLocator::fromProcess(registryPath).resolve())
    , m_worker(std::make_unique<OrchestratorThread>(OrchestratorSettings{}, QStringLiteral("gui")))
{
    setWindowTitle(tr("Portoser — %1").arg(m_registryPath));
    resize(1280, 800);

    m_staged = new StagedMoves(this);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_topology = new TopologyView(splitter);
    m_topology->setObjectName(QStringLiteral("topologyView"));
    m_topology->setStagedMoves(m_staged);
    connect(m_topology, &TopologyView::moveRequested, this, &MainWindow::onMoveRequested);
    m_issuesTree = new QTreeWidget(splitter);
    m_issuesTree->setObjectName(QStringLiteral("issuesTreeWidget"));
    m_issuesTree->setHeaderLabels({tr("Severity"), tr("Location"), tr("Problem")});
    m_issuesTree->setAccessibleName(tr("Registry problems"));
    splitter->setStretchFactor(0, 5);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({620, 110});
    auto *pages = new QTabWidget(this);
    pages->setObjectName(QStringLiteral("pagesTabWidget"));
    pages->setDocumentMode(true);
    pages->addTab(splitter, tr("&Cluster"));
    m_healthPage = new HealthPage(m_worker.get(), pages);
    m_healthPage->setObjectName(QStringLiteral("healthPage"));
    pages->addTab(m_healthPage, tr("H&ealth"));
    m_logsPage = new LogsPage(m_worker.get(), pages);
    m_logsPage->setObjectName(QStringLiteral("logsPage"));
    pages->addTab(m_logsPage, tr("&Logs"));
    m_historyPage = new HistoryPage(m_worker.get(), pages);
    m_historyPage->setObjectName(QStringLiteral("historyPage"));
    pages->addTab(m_historyPage, tr("&History"));
    m_secretsPage = new SecretsPage(OrchestratorSettings{}, pages);
    m_secretsPage->setObjectName(QStringLiteral("secretsPage"));
    pages->addTab(m_secretsPage, tr("&Secrets"));
    setCentralWidget(pages);

    m_deployPanel = new DeployPanel(m_worker.get(), m_staged, this);
    m_deployPanel->setObjectName(QStringLiteral("deployPanel"));
    auto *dock = new QDockWidget(tr("Deploy"), this);
    dock->setObjectName(QStringLiteral("deployDock"));
    dock->setWidget(m_deployPanel);
    addDockWidget(Qt::RightDockWidgetArea, dock);
    connect(m_deployPanel, &DeployPanel::deployed, this,
            [this](const QList<DeploymentRecord> &records) {
                loadRegistry(); // a move changed current_host in the file
                m_historyPage->reload();
                int failed = 0;
                for (const DeploymentRecord &r : records)
                    failed += r.outcome != QLatin1String("succeeded");
                notify(tr("Deploy finished"),
                       failed ? tr("%1 of %2 changes failed").arg(failed).arg(records.size())
                              : tr("%n change(s) deployed", nullptr, int(records.size())),
                       failed > 0);
            });
    connect(m_historyPage, &HistoryPage::rolledBack, this, &MainWindow::observe);

    m_statusLabel = new QLabel(tr("Loading %1…").arg(m_registryPath), this);
    statusBar()->addWidget(m_statusLabel);
    m_watchdogLabel = new QLabel(tr("Watchdog off"), this);
    m_watchdogLabel->setObjectName(QStringLiteral("watchdogLabel"));
    statusBar()->addPermanentWidget(m_watchdogLabel);

    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *open = fileMenu->addAction(tr("&Open registry…"), this, [this] {
        const QString chosen = QFileDialog::getOpenFileName(
            this, tr("Open a registry"), QFileInfo(m_registryPath).absolutePath(),
            tr("Registry (*.yml *.yaml)"));
        if (!chosen.isEmpty())
            openRegistry(chosen);
    });
    open->setShortcut(QKeySequence::Open);
    fileMenu->addSeparator();
    QAction *quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    // Double-clicking a problem opens its file at the line: $VISUAL/$EDITOR +LINE FILE when set,
    // else the desktop's handler for the file.
    connect(m_issuesTree, &QTreeWidget::itemDoubleClicked, this, [](QTreeWidgetItem *item) {
        const QString file = item->data(1, Qt::UserRole).toString();
        const int line = item->data(1, Qt::UserRole + 1).toInt();
        if (file.isEmpty())
            return;
        const QString editor = qEnvironmentVariable("VISUAL", qEnvironmentVariable("EDITOR"));
        if (!editor.isEmpty()
            && QProcess::startDetached(editor, {u"+%1"_s.arg(std::max(line, 1)), file}))
            return;
        QDesktopServices::openUrl(QUrl::fromLocalFile(file));
    });
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(windowIcon(), this);
        m_tray->setToolTip(tr("Portoser"));
        m_tray->show();
    }

    QToolBar *toolbar = addToolBar(tr("Cluster"));
    toolbar->setObjectName(QStringLiteral("clusterToolBar"));
    QAction *refresh = toolbar->addAction(tr("Observe"), this, &MainWindow::observe);
    refresh->setShortcut(QKeySequence::Refresh);
    refresh->setToolTip(tr("Ask every host how its services are (F5)"));
    auto *search = new QLineEdit(toolbar);
    search->setObjectName(QStringLiteral("searchField"));
    search->setPlaceholderText(tr("Find a service…"));
    search->setClearButtonEnabled(true);
    search->setMaximumWidth(240);
    search->setAccessibleName(tr("Find a service"));
    connect(search, &QLineEdit::textChanged, m_topology, &TopologyView::highlight);
    toolbar->addWidget(search);
    auto *find = new QAction(tr("Find"), this);
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, search, qOverload<>(&QWidget::setFocus));
    addAction(find);
    m_watchdogAction = toolbar->addAction(tr("Watchdog"));
    m_watchdogAction->setObjectName(QStringLiteral("watchdogAction"));
    m_watchdogAction->setCheckable(true);
    m_watchdogAction->setEnabled(false); // until a valid registry is loaded
    m_watchdogAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H));
    m_watchdogAction->setToolTip(
        tr("Run the self-heal watchdog: observe, diagnose and fix services on a timer"));
    connect(m_watchdogAction, &QAction::toggled, this, &MainWindow::setWatchdogRunning);

    // An edit of the registry file (by hand, or a move's) shows at once.
    auto *watcher = new QFileSystemWatcher({m_registryPath}, this);
    m_registryWatcher = watcher;
    auto *settle = new QTimer(this);
    settle->setSingleShot(true);
    settle->setInterval(200); // editors write in several steps
    connect(settle, &QTimer::timeout, this, [this, watcher] {
        if (!watcher->files().contains(m_registryPath)) // replaced by a rename: watch the new one
            watcher->addPath(m_registryPath);
        loadRegistry();
    });
    connect(watcher, &QFileSystemWatcher::fileChanged, settle, qOverload<>(&QTimer::start));

    QSettings settings;
    restoreGeometry(settings.value(u"window/geometry"_s).toByteArray());
    restoreState(settings.value(u"window/state"_s).toByteArray());

    loadRegistry();
    m_historyPage->reload();
    m_healthPage->loadEvents();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::openRegistry(const QString &path)
{
    if (!m_registryPath.isEmpty())
        m_registryWatcher->removePath(m_registryPath);
    m_registryPath = QFileInfo(path).absoluteFilePath();
    m_registryWatcher->addPath(m_registryPath);
    setWindowTitle(tr("Portoser — %1").arg(m_registryPath));
    m_staged->clear();
    m_registry.reset();
    loadRegistry();
}

void MainWindow::notify(const QString &title, const QString &message, bool warning)
{
    if (m_tray)
        m_tray->showMessage(title, message,
                            warning ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information);
    statusBar()->showMessage(title + u": "_s + message, 10000);
}

void MainWindow::loadRegistry()
{
    // Reading and validating touches the disk: keep it off the GUI thread.
    auto *watcher = new QFutureWatcher<CheckedRegistry>(this);
    connect(watcher, &QFutureWatcher<CheckedRegistry>::finished, this, [this, watcher] {
        showRegistry(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(
        QtConcurrent::run([path = m_registryPath] { return Orchestrator().checkRegistry(path); }));
}

void MainWindow::observe()
{
    if (!m_registry)
        return;
    m_statusLabel->setText(tr("Observing…"));
    m_worker->post([page = QPointer<QObject>(this), registry = *m_registry, this](Orchestrator &o) {
        auto states = o.status(registry);
        if (registry.caddy.present) { // each service's URL and whether its route is right
            QMap<QString, TopologyView::Route> routes;
            const auto status = o.proxyStatus(registry);
            for (const QJsonValue &v : status ? *status : QJsonArray())
                routes.insert(v[u"service"].toString(),
                              {v[u"url"].toString(), v[u"state"].toString()});
            for (const Service &s : registry.services) {
                if (!status && !s.hostname.isEmpty())
                    routes.insert(s.name, {s.hostname, status.error().message});
            }
            backTo(page, routes, [this](const QMap<QString, TopologyView::Route> &r) {
                m_topology->setRoutes(r);
            });
        }
        backTo(page, states, [this](const QMap<QString, ServiceState> &s) {
            m_topology->setStates(s);
            int running = 0;
            for (const ServiceState &state : s)
                running += state.state == QLatin1String("running");
            m_statusLabel->setText(tr("%1 of %2 services running").arg(running).arg(s.size()));
        });
    });
}

void MainWindow::onMoveRequested(const QString &service, const QString &toHost, const QPointF &at)
{
    if (!m_registry)
        return;
    const Service *s = m_registry->service(service);
    if (!s)
        return;
    if (toHost == s->currentHost) { // dropped back home: the staged move is undone
        m_staged->stage({service, s->currentHost, toHost});
        m_topology->showRefusal({}, at);
        return;
    }
    if (const auto refusal = Orchestrator::moveRefusal(*m_registry, service, toHost)) {
        m_topology->showRefusal(tr("Cannot move here: %1").arg(*refusal), at);
        statusBar()->showMessage(tr("%1 cannot move to %2: %3").arg(service, toHost, *refusal),
                                 10000);
        return;
    }
    m_topology->showRefusal({}, at);
    m_staged->stage({service, s->currentHost, toHost});
    statusBar()->showMessage(
        tr("Staged: %1 → %2. Nothing changes until Deploy.").arg(service, toHost), 10000);
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
        connect(m_healLoop.get(), &HealLoop::event, this, [this](const HealEvent &e) {
            m_healthPage->addEvent(e);
            if (e.kind == HealEvent::Kind::Down || e.kind == HealEvent::Kind::GivenUp)
                notify(tr("%1 on %2").arg(e.service, e.host), toText(e), true);
        });
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
    m_topology->setRegistry(registry);
    m_issuesTree->clear();
    for (const Issue &issue : checked.issues) {
        auto *item =
            new QTreeWidgetItem(m_issuesTree, {issue.isError() ? tr("error") : tr("warning"),
                                               issue.where.toString(), issue.message});
        item->setData(1, Qt::UserRole, issue.where.file);
        item->setData(1, Qt::UserRole + 1, issue.where.line);
        item->setToolTip(1, tr("Double-click to open it in your editor"));
    }
    m_issuesTree->header()->resizeSections(QHeaderView::ResizeToContents);
    m_secretsPage->setRegistry(registry);
    m_deployPanel->setRegistry(registry);
    m_historyPage->setRegistry(registry);
    m_healthPage->setRegistry(registry);
    m_logsPage->setRegistry(registry);
    if (checked.isValid()) {
        m_registry = registry;
        m_watchdogAction->setEnabled(true);
        observe();
    }
    m_statusLabel->setText(tr("%1 hosts, %2 services, %3 errors, %4 warnings")
                               .arg(registry.hosts.size())
                               .arg(registry.services.size())
                               .arg(errorCount(checked.issues))
                               .arg(warningCount(checked.issues)));
}

} // namespace Portoser
