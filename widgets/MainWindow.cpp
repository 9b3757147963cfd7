// SPDX-License-Identifier: Apache-2.0
#include "widgets/MainWindow.h"

#include "core/Orchestrator.h"
#include "core/net/CoordinatorApi.h"
#include "core/registry/RegistryLocator.h"
#include "core/runtime/HealLoop.h"
#include "core/secrets/Keychain.h"
#include "widgets/ConnectDialog.h"
#include "widgets/CoordinatorLink.h"
#include "widgets/DeployPanel.h"
#include "widgets/HealthPage.h"
#include "widgets/HistoryPage.h"
#include "widgets/HostWizard.h"
#include "widgets/Icons.h"
#include "widgets/LocalLink.h"
#include "widgets/LogsPage.h"
#include "widgets/OidcLogin.h"
#include "widgets/SecretsPage.h"
#include "widgets/SettingsDialog.h"
#include "widgets/StagedMoves.h"
#include "widgets/TopologyView.h"
#include "widgets/WelcomePage.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileSystemWatcher>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
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

namespace {

/** --registry, then $PORTOSER_REGISTRY, then the registry the app had open last, then the
 *  locator's defaults (./registry.yml, ~/.portoser/registry.yml). */
QString chooseRegistry(const QString &explicitPath, const AppSettings &settings)
{
    if (explicitPath.isEmpty() && qEnvironmentVariableIsEmpty("PORTOSER_REGISTRY")
        && !settings.registryPath.isEmpty())
        return QFileInfo(settings.registryPath).absoluteFilePath();
    return RegistryLocator::fromProcess(explicitPath).resolve();
}

} // namespace

MainWindow::MainWindow(const QString &registryPath, QWidget *parent)
    : MainWindow(std::unique_ptr<ClusterLink>(), registryPath, parent)
{}

QString MainWindow::registryToOpen(const QString &explicitPath)
{
    return chooseRegistry(explicitPath, AppSettings::load());
}

MainWindow::MainWindow(std::unique_ptr<CoordinatorLink> link, QWidget *parent)
    : MainWindow(std::unique_ptr<ClusterLink>(std::move(link)), QString(), parent)
{}

MainWindow::MainWindow(std::unique_ptr<ClusterLink> link, const QString &registryPath,
                       QWidget *parent)
    : QMainWindow(parent)
    , m_settings(AppSettings::load())
    , m_link(std::move(link))
{
    if (!m_link) {
        m_registryPath = chooseRegistry(registryPath, m_settings);
        auto local = std::make_unique<LocalLink>(m_settings.orchestrator());
        m_local = local.get();
        m_link = std::move(local);
        setWindowTitle(tr("Portoser — %1").arg(m_registryPath));
    } else {
        setWindowTitle(tr("Portoser — %1 (%2)").arg(m_link->where(), toString(m_link->role())));
    }
    setWindowIcon(Icons::application());
    resize(1280, 800);

    m_staged = new StagedMoves(this);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_topology = new TopologyView(splitter);
    m_topology->setObjectName(u"topologyView"_s);
    m_topology->setStagedMoves(m_staged);
    connect(m_topology, &TopologyView::moveRequested, this, &MainWindow::onMoveRequested);
    m_issuesTree = new QTreeWidget(splitter);
    m_issuesTree->setObjectName(u"issuesTreeWidget"_s);
    m_issuesTree->setHeaderLabels({tr("Severity"), tr("Location"), tr("Problem")});
    m_issuesTree->setAccessibleName(tr("Registry problems"));
    splitter->setStretchFactor(0, 5);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({620, 110});
    auto *pages = new QTabWidget(this);
    pages->setObjectName(u"pagesTabWidget"_s);
    pages->setDocumentMode(true);
    const auto addPage = [pages](QWidget *page, const QString &name, const QString &title,
                                 const QString &icon) {
        page->setObjectName(name);
        Icons::set(pages, pages->addTab(page, title), icon);
    };
    m_clusterStack = new QStackedWidget(pages);
    m_welcome = new WelcomePage;
    auto *welcomeHolder = new QWidget; // centred, at a width that reads well
    auto *centred = new QHBoxLayout(welcomeHolder);
    centred->addStretch();
    centred->addWidget(m_welcome, 3);
    centred->addStretch();
    m_clusterStack->addWidget(welcomeHolder);
    m_clusterStack->addWidget(splitter);
    m_clusterStack->setCurrentIndex(1);
    addPage(m_clusterStack, u"clusterPage"_s, tr("&Cluster"), u"cluster"_s);
    m_healthPage = new HealthPage(m_link.get(), pages);
    addPage(m_healthPage, u"healthPage"_s, tr("H&ealth"), u"health"_s);
    m_logsPage = new LogsPage(m_link.get(), pages);
    addPage(m_logsPage, u"logsPage"_s, tr("&Logs"), u"logs"_s);
    m_historyPage = new HistoryPage(m_link.get(), pages);
    addPage(m_historyPage, u"historyPage"_s, tr("&History"), u"history"_s);
    // A coordinator's secrets through its API (the list needs its operator role, values its
    // admin role; it audits each): a viewer has no page to see.
    if (m_local || m_link->may(Role::Operator)) {
        m_secretsPage = new SecretsPage(m_settings.orchestrator(), pages);
        addPage(m_secretsPage, u"secretsPage"_s, tr("&Secrets"), u"secrets"_s);
        if (auto *remote = qobject_cast<CoordinatorLink *>(m_link.get())) {
            m_secretsPage->useCoordinator(remote->url(), remote->credential());
            connect(remote, &CoordinatorLink::credentialChanged, m_secretsPage,
                    [page = m_secretsPage, remote](const QByteArray &credential) {
                        page->useCoordinator(remote->url(), credential);
                    });
        }
    }
    setCentralWidget(pages);

    m_deployPanel = new DeployPanel(m_link.get(), m_staged, this);
    m_deployPanel->setObjectName(u"deployPanel"_s);
    auto *dock = new QDockWidget(tr("Deploy"), this);
    dock->setObjectName(u"deployDock"_s);
    dock->setWidget(m_deployPanel);
    addDockWidget(Qt::RightDockWidgetArea, dock);
    connect(m_deployPanel, &DeployPanel::deployed, this,
            [this](const QList<DeploymentRecord> &records) {
                loadRegistry(); // a move changed current_host in the file
                m_historyPage->reload();
                int failed = 0;
                for (const DeploymentRecord &r : records)
                    failed += !r.succeeded();
                notify(tr("Deploy finished"),
                       failed ? tr("%1 of %2 changes failed").arg(failed).arg(records.size())
                              : tr("%n change(s) deployed", nullptr, int(records.size())),
                       failed > 0);
            });
    connect(m_deployPanel, &DeployPanel::recordActivated, this, [this, pages](qint64 id) {
        pages->setCurrentWidget(m_historyPage);
        m_historyPage->showRecord(id);
    });
    connect(m_topology, &TopologyView::redeployRequested, m_staged, &StagedMoves::markRedeploy);
    connect(m_topology, &TopologyView::serviceActionRequested, this, &MainWindow::runServiceAction);
    connect(m_healthPage, &HealthPage::serviceActionRequested, this, &MainWindow::runServiceAction);
    connect(m_historyPage, &HistoryPage::rolledBack, this, &MainWindow::observe);

    m_statusLabel =
        new QLabel(tr("Loading %1…").arg(m_local ? m_registryPath : m_link->where()), this);
    statusBar()->addWidget(m_statusLabel);
    m_watchdogLabel = new QLabel(tr("Watchdog off"), this);
    m_watchdogLabel->setObjectName(u"watchdogLabel"_s);
    statusBar()->addPermanentWidget(m_watchdogLabel);

    buildToolBar();
    buildMenus();
    connect(m_issuesTree, &QTreeWidget::itemDoubleClicked, this, [](QTreeWidgetItem *item) {
        openInEditor(item->data(1, Qt::UserRole).toString(),
                     item->data(1, Qt::UserRole + 1).toInt());
    });
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(windowIcon(), this);
        m_tray->setToolTip(tr("Portoser"));
        m_tray->show();
    }

    if (!m_link->may(Role::Operator))
        m_topology->setActionRefusal(roleNeeded(Role::Operator));
    connect(m_welcome, &WelcomePage::openRequested, this,
            [this] { findChild<QAction *>(u"openRegistryAction"_s)->trigger(); });
    connect(m_welcome, &WelcomePage::demoRequested, this, &MainWindow::openDemo);
    connect(m_welcome, &WelcomePage::createRequested, this, &MainWindow::createRegistry);
    connect(m_welcome, &WelcomePage::connectRequested, this, &MainWindow::askToConnect);

    // An edit of the registry file (by hand, or a move's) shows at once.
    auto *watcher = new QFileSystemWatcher(this);
    if (m_local)
        watcher->addPath(m_registryPath);
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
    connect(watcher, &QFileSystemWatcher::directoryChanged, settle, qOverload<>(&QTimer::start));

    QSettings settings;
    restoreGeometry(settings.value(u"window/geometry"_s).toByteArray());
    restoreState(settings.value(u"window/state"_s).toByteArray());

    // The topology stays current without the watchdog too (its passes report the same).
    auto *everyHalfMinute = new QTimer(this);
    everyHalfMinute->setInterval(30000);
    connect(everyHalfMinute, &QTimer::timeout, this, [this] {
        if (!isVisible())
            return;
        if (!m_local)
            refreshFromCoordinator();
        else if (!(m_healLoop && !m_healLoop->isPaused()))
            observe();
    });
    everyHalfMinute->start();
    if (!m_local)
        followCoordinator();

    loadRegistry();
    m_historyPage->reload();
    m_healthPage->loadEvents();
}

void MainWindow::buildToolBar()
{
    QToolBar *toolbar = addToolBar(tr("Cluster"));
    toolbar->setObjectName(u"clusterToolBar"_s);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    QAction *refresh = toolbar->addAction(tr("Observe"), this, &MainWindow::observe);
    refresh->setObjectName(u"observeAction"_s);
    Icons::set(refresh, u"observe"_s);
    refresh->setShortcut(QKeySequence::Refresh);
    refresh->setToolTip(tr("Ask every host how it and its services are (F5)"));
    QAction *fit = toolbar->addAction(tr("Fit"), m_topology, &TopologyView::fitAll);
    fit->setObjectName(u"fitAction"_s);
    Icons::set(fit, u"fit"_s);
    fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    fit->setToolTip(tr("Show the whole cluster (Ctrl+0)"));
    QAction *edges = toolbar->addAction(tr("Dependencies"));
    edges->setObjectName(u"dependenciesAction"_s);
    Icons::set(edges, u"edges"_s);
    edges->setCheckable(true);
    edges->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    edges->setToolTip(tr("Draw an arrow from each service to what it depends on (Ctrl+D)"));
    connect(edges, &QAction::toggled, m_topology, &TopologyView::setDependenciesShown);
    auto *search = new QLineEdit(toolbar);
    search->setObjectName(u"searchField"_s);
    search->setPlaceholderText(tr("Find a service…"));
    search->setClearButtonEnabled(true);
    search->setMaximumWidth(240);
    search->setAccessibleName(tr("Find a service"));
    connect(search, &QLineEdit::textChanged, m_topology, &TopologyView::highlight);
    toolbar->addWidget(search);
    auto *find = new QAction(tr("Find"), this);
    find->setObjectName(u"findAction"_s);
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, search, qOverload<>(&QWidget::setFocus));
    addAction(find);
    m_watchdogAction = toolbar->addAction(tr("Watchdog"));
    m_watchdogAction->setObjectName(u"watchdogAction"_s);
    Icons::set(m_watchdogAction, u"watchdog"_s);
    m_watchdogAction->setCheckable(true);
    m_watchdogAction->setEnabled(false); // until a valid registry is loaded
    m_watchdogAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H));
    m_watchdogAction->setToolTip(
        tr("Run the self-heal watchdog: observe, diagnose and fix services on a timer"));
    connect(m_watchdogAction, &QAction::toggled, this, &MainWindow::setWatchdogRunning);
    if (!m_local) // one healer per cluster
        m_watchdogAction->setToolTip(
            tr("The coordinator heals this cluster: a connected window never does"));
    m_healthPage->addToolAction(refresh);
    m_healthPage->addToolAction(m_watchdogAction);
}

void MainWindow::buildMenus()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *open = fileMenu->addAction(tr("&Open registry…"), this, [this] {
        const QString chosen = QFileDialog::getOpenFileName(
            this, tr("Open a registry"), QFileInfo(m_registryPath).absolutePath(),
            tr("Registry (*.yml *.yaml)"));
        if (!chosen.isEmpty())
            openRegistry(chosen);
    });
    Icons::set(open, u"open"_s);
    open->setObjectName(u"openRegistryAction"_s);
    open->setShortcut(QKeySequence::Open);
    open->setEnabled(m_local != nullptr);
    m_recentMenu = fileMenu->addMenu(tr("Open &recent"));
    m_recentMenu->setEnabled(m_local != nullptr);
    m_recentMenu->setObjectName(u"recentMenu"_s);
    connect(m_recentMenu, &QMenu::aboutToShow, this, [this] {
        m_recentMenu->clear();
        for (const QString &path : std::as_const(m_settings.recentRegistries))
            m_recentMenu->addAction(path, this, [this, path] { openRegistry(path); });
        if (m_recentMenu->isEmpty())
            m_recentMenu->addAction(tr("(none yet)"))->setEnabled(false);
    });
    fileMenu->addSeparator();
    QAction *connectAction =
        fileMenu->addAction(tr("&Connect to coordinator…"), this, &MainWindow::askToConnect);
    connectAction->setObjectName(u"connectAction"_s);
    connectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connectAction->setToolTip(tr("Work through a coordinator (portoser --serve): its sessions, "
                                 "history and healer"));
    QMenu *recentCoordinators = fileMenu->addMenu(tr("Recent coordi&nators"));
    recentCoordinators->setObjectName(u"recentCoordinatorsMenu"_s);
    connect(recentCoordinators, &QMenu::aboutToShow, this, [this, recentCoordinators] {
        recentCoordinators->clear();
        for (const QString &url : AppSettings::load().recentCoordinators)
            recentCoordinators->addAction(url, this, [this, url] { connectTo(url, {}); });
        if (recentCoordinators->isEmpty())
            recentCoordinators->addAction(tr("(none yet)"))->setEnabled(false);
    });
    QAction *here = fileMenu->addAction(tr("Work on &this computer"), this, [] {
        auto *window = new MainWindow(QString());
        window->setAttribute(Qt::WA_DeleteOnClose);
        window->show();
    });
    here->setObjectName(u"thisComputerAction"_s);
    here->setVisible(!m_local);
    fileMenu->addSeparator();
    QAction *preferences = fileMenu->addAction(tr("&Settings…"), this, [this] {
        AppSettings shown = m_settings;
        shown.registryPath = m_registryPath; // the one open, whatever opened it
        SettingsDialog dialog(shown, this);
        if (dialog.exec() == QDialog::Accepted)
            applySettings(dialog.settings());
    });
    preferences->setObjectName(u"settingsAction"_s);
    preferences->setMenuRole(QAction::PreferencesRole);
    preferences->setShortcuts({QKeySequence::Preferences, QKeySequence(Qt::CTRL | Qt::Key_Comma)});
    Icons::set(preferences, u"settings"_s);
    fileMenu->addSeparator();
    QAction *quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    // The toolbar's actions, where an operator looks for them too (with their shortcuts).
    const auto action = [this](const QString &name) { return findChild<QAction *>(name); };
    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    viewMenu->setObjectName(u"viewMenu"_s);
    viewMenu->addActions(
        {action(u"fitAction"_s), action(u"dependenciesAction"_s), action(u"findAction"_s)});
    QMenu *clusterMenu = menuBar()->addMenu(tr("&Cluster"));
    clusterMenu->setObjectName(u"clusterMenu"_s);
    clusterMenu->addActions({action(u"observeAction"_s), m_watchdogAction});
    clusterMenu->addSeparator();
    clusterMenu->addAction(tr("Deploy what is &out of date"), this, [this] {
        m_deployPanel->checkOutOfDate();
        m_deployPanel->deployOutOfDate();
    });

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->setObjectName(u"helpMenu"_s);
    QAction *docs = helpMenu->addAction(tr("&Documentation"), this, [this] {
        const QString dir = documentationDirectory();
        if (dir.isEmpty() || !QDesktopServices::openUrl(QUrl::fromLocalFile(dir)))
            statusBar()->showMessage(
                tr("The documentation is in the docs/ folder of Portoser's source and in "
                   "/usr/share/doc/portoser when installed from the package."),
                15000);
    });
    docs->setObjectName(u"documentationAction"_s);
    docs->setShortcut(QKeySequence::HelpContents);
    QAction *about = helpMenu->addAction(tr("&About Portoser"), this, [this] {
        QMessageBox::about(
            this, tr("About Portoser"),
            tr("<h3>Portoser %1</h3><p>Deploys the services of a small cluster over plain SSH, "
               "health-gated and reverting by itself, and heals what it recognises.</p>"
               "<p>Apache License 2.0.</p>")
                .arg(QCoreApplication::applicationVersion()));
    });
    about->setObjectName(u"aboutAction"_s);
    about->setMenuRole(QAction::AboutRole);
    helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt)
        ->setMenuRole(QAction::AboutQtRole);
}

QString MainWindow::documentationDirectory()
{
    const QString app = QCoreApplication::applicationDirPath();
    const QStringList candidates = {qEnvironmentVariable("PORTOSER_DOCS_DIR"),
                                    app + u"/../share/doc/portoser"_s, app + u"/../docs"_s,
                                    app + u"/../../docs"_s};
    for (const QString &candidate : candidates) {
        if (!candidate.isEmpty() && QFileInfo(candidate).isDir())
            return QFileInfo(candidate).canonicalFilePath();
    }
    return {};
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::changeEvent(QEvent *event)
{
    // The system switched between light and dark: icons are drawn in the new text colour.
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange)
        Icons::retint(this);
    QMainWindow::changeEvent(event);
}

void MainWindow::askToConnect()
{
    ConnectDialog dialog(m_settings.recentCoordinators, this);
    if (dialog.exec() == QDialog::Accepted)
        connectTo(dialog.url(), {dialog.token(), dialog.rememberToken(), dialog.useOidc(), {}});
}

namespace {

QString keychainEntry(const QUrl &url)
{
    return u"coordinator-token:"_s + url.toString(QUrl::StripTrailingSlash);
}

} // namespace

namespace {

/** Connects `link` and hands the window on it to `opened`. */
void openOnLink(std::shared_ptr<std::unique_ptr<CoordinatorLink>> link, QObject *context,
                std::function<void(MainWindow *)> opened,
                std::function<void(const QString &)> failed, std::function<void()> connected)
{
    CoordinatorLink *raw = link->get();
    raw->connectToCoordinator().then(
        context, [link, opened, failed, connected](const Result<void> &ok) {
            if (!ok)
                return failed(ok.error().message);
            AppSettings settings = AppSettings::load();
            settings.rememberCoordinator((*link)->url().toString(QUrl::StripTrailingSlash));
            settings.save();
            connected();
            auto *window = new MainWindow(std::move(*link));
            window->setAttribute(Qt::WA_DeleteOnClose);
            opened(window);
        });
}

/** Signs in at the coordinator's OIDC issuer (it says which in GET /api/v1/auth), then opens. */
void openWithOidc(const QUrl &url, const MainWindow::SignIn &signIn, QObject *context,
                  std::function<void(MainWindow *)> opened,
                  std::function<void(const QString &)> failed)
{
    auto probe = std::make_shared<CoordinatorLink>(url, QByteArray());
    probe->request("GET", u"/api/v1/auth"_s, {}, 15000)
        .then(context, [probe, url, signIn, context, opened, failed](const Result<QJsonValue> &r) {
            if (!r)
                return failed(r.error().message);
            const QJsonObject oidc = r->toObject().value(u"oidc"_s).toObject();
            if (oidc.value(u"issuer"_s).toString().isEmpty())
                return failed(MainWindow::tr("this coordinator has no single sign-on (started "
                                             "without --oidc-issuer): use an API token"));
            auto *login = new OidcLogin(QUrl(oidc.value(u"issuer"_s).toString()),
                                        oidc.value(u"client_id"_s).toString(), context);
            if (signIn.browser)
                login->setBrowser(signIn.browser);
            login->signIn().then(context, [login, url, context, opened,
                                           failed](const Result<OidcLogin::Tokens> &tokens) {
                if (!tokens) {
                    login->deleteLater();
                    return failed(tokens.error().message);
                }
                auto link = std::make_shared<std::unique_ptr<CoordinatorLink>>(
                    std::make_unique<CoordinatorLink>(url, tokens->access));
                CoordinatorLink *raw = link->get();
                openOnLink(link, context, opened, failed, [login, raw, url, t = *tokens] {
                    login->keepFresh(
                        raw, t, u"coordinator-oidc:"_s + url.toString(QUrl::StripTrailingSlash));
                });
            });
        });
}

} // namespace

void MainWindow::openOnCoordinator(const QString &text, const SignIn &signIn, QObject *context,
                                   std::function<void(MainWindow *)> opened,
                                   std::function<void(const QString &)> failed)
{
    if (const QString problem = ConnectDialog::urlProblem(text); !problem.isEmpty())
        return failed(problem);
    const QUrl url(text.trimmed());
    // No credential of any kind goes over plain http to another machine, nor the sign-in's
    // issuer is taken from such an answer (anyone in between could name their own).
    if (!CoordinatorApi::mayCarryCredential(url) && (signIn.oidc || !signIn.token.isEmpty()))
        return failed(tr("a token is not sent over plain http to another machine: use "
                         "https://%1")
                          .arg(url.authority()));
    if (signIn.oidc)
        return openWithOidc(url, signIn, context, opened, failed);
    // The keychain may ask the desktop (and wait): off the GUI thread.
    QtConcurrent::run([url, typed = signIn.token, named = signIn.namedByRegistry] {
        if (!typed.isEmpty())
            return typed;
        if (const QByteArray env = qgetenv("PORTOSER_TOKEN"); !env.isEmpty() && !named)
            return env;
        const auto kept = Keychain::read(keychainEntry(url));
        return kept ? *kept : QByteArray();
    }).then(context, [context, url, signIn, opened, failed](const QByteArray &token) {
        if (!token.isEmpty() && !CoordinatorApi::mayCarryCredential(url))
            return failed(tr("a token is not sent over plain http to another machine: use "
                             "https://%1")
                              .arg(url.authority()));
        auto link = std::make_shared<std::unique_ptr<CoordinatorLink>>(
            std::make_unique<CoordinatorLink>(url, token));
        openOnLink(link, context, opened, failed, [url, token, signIn] {
            if (signIn.rememberToken && !signIn.token.isEmpty())
                (void)QtConcurrent::run(
                    [url, token] { (void)Keychain::write(keychainEntry(url), token); });
        });
    });
}

void MainWindow::connectTo(const QString &url, const SignIn &signIn)
{
    statusBar()->showMessage(signIn.oidc ? tr("Signing in at %1's identity provider…").arg(url)
                                         : tr("Connecting to %1…").arg(url));
    openOnCoordinator(
        url, signIn, this,
        [this, url](MainWindow *window) {
            window->show();
            statusBar()->showMessage(tr("Opened a window on %1").arg(url), 8000);
        },
        [this, url](const QString &why) {
            statusBar()->clearMessage();
            QMessageBox::warning(this, tr("Connect to a coordinator"),
                                 tr("Could not connect to %1: %2").arg(url, why));
        });
}

bool MainWindow::isConnected() const
{
    return m_link->isRemote();
}

void MainWindow::openRegistry(const QString &path)
{
    if (!m_local)
        return; // a coordinator runs its own registry
    if (!m_registryPath.isEmpty())
        m_registryWatcher->removePath(m_registryPath);
    m_registryPath = QFileInfo(path).absoluteFilePath();
    m_registryWatcher->addPath(m_registryPath);
    m_settings.rememberRegistry(m_registryPath);
    m_settings.save();
    setWindowTitle(tr("Portoser — %1").arg(m_registryPath));
    m_staged->clear();
    m_registry.reset();
    m_hostStates.clear();
    m_serviceStates.clear();
    loadRegistry();
}

void MainWindow::applySettings(const AppSettings &settings)
{
    const AppSettings previous = std::exchange(m_settings, settings);
    m_settings.save();
    if (previous.store != settings.store || previous.secrets != settings.secrets
        || previous.acceptNewHostKeys != settings.acceptNewHostKeys) {
        if (m_local)
            m_local->setSettings(settings.orchestrator());
        if (m_secretsPage)
            m_secretsPage->setSettings(settings.orchestrator());
        if (m_healLoop)
            m_healLoop->setSettings(settings.orchestrator());
        m_historyPage->reload();
        m_healthPage->loadEvents();
    }
    if (m_healLoop && previous.healIntervalSeconds != settings.healIntervalSeconds)
        m_healLoop->setIntervalOverride(settings.healIntervalSeconds);
    if (m_local && !settings.registryPath.isEmpty()
        && QFileInfo(settings.registryPath).absoluteFilePath() != m_registryPath)
        openRegistry(settings.registryPath);
    if (previous.language != settings.language)
        statusBar()->showMessage(tr("The new language shows when Portoser next starts."), 10000);
}

void MainWindow::openInEditor(const QString &file, int line)
{
    if (file.isEmpty())
        return;
    const QString editor = qEnvironmentVariable("VISUAL", qEnvironmentVariable("EDITOR"));
    // The editor's own words are split like a shell would (`code -w`), the file stays one word.
    QStringList command = QProcess::splitCommand(editor);
    if (!command.isEmpty()
        && QProcess::startDetached(command.takeFirst(),
                                   command << u"+%1"_s.arg(std::max(line, 1)) << file))
        return;
    QDesktopServices::openUrl(QUrl::fromLocalFile(file));
}

void MainWindow::notify(const QString &title, const QString &message, bool warning)
{
    if (m_tray)
        m_tray->showMessage(title, message,
                            warning ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information);
    statusBar()->showMessage(title + u": "_s + message, 10000);
}

bool MainWindow::isWelcoming() const
{
    return m_clusterStack->currentIndex() == 0;
}

QString MainWindow::demoDirectory()
{
    const QString app = QCoreApplication::applicationDirPath();
    const QStringList candidates = {qEnvironmentVariable("PORTOSER_DEMO_DIR"),
                                    app + u"/../share/portoser/demo"_s,
                                    app + u"/../examples/demo"_s, app + u"/../../examples/demo"_s};
    for (const QString &candidate : candidates) {
        if (!candidate.isEmpty() && QFileInfo::exists(candidate + u"/registry.yml"_s))
            return QFileInfo(candidate).canonicalFilePath();
    }
    return {};
}

namespace {

bool copyTree(const QString &from, const QString &to)
{
    if (!QDir().mkpath(to))
        return false;
    for (const QFileInfo &entry :
         QDir(from).entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden)) {
        const QString target = to + u'/' + entry.fileName();
        if (entry.isDir() ? !copyTree(entry.filePath(), target)
                          : !QFile::copy(entry.filePath(), target))
            return false;
    }
    return true;
}

} // namespace

void MainWindow::openDemo()
{
    const QString source = demoDirectory();
    if (source.isEmpty()) {
        QMessageBox::warning(this, tr("Try the demo"),
                             tr("The demo was not found: it ships in examples/demo of "
                                "Portoser's source and /usr/share/portoser/demo of its package "
                                "(or set PORTOSER_DEMO_DIR)."));
        return;
    }
    // A copy of its own: a move edits the registry file, and the shipped one may be read-only.
    const QString copy = qEnvironmentVariable("PORTOSER_HOME", QDir::homePath() + u"/.portoser"_s)
                         + u"/demo-registry"_s;
    if (!QFileInfo::exists(copy + u"/registry.yml"_s) && !copyTree(source, copy)) {
        QMessageBox::warning(this, tr("Try the demo"), tr("Cannot copy the demo to %1").arg(copy));
        return;
    }
    openRegistry(copy + u"/registry.yml"_s);
}

void MainWindow::createRegistry()
{
    HostWizard wizard(QFileInfo::exists(m_registryPath) ? QString() : m_registryPath, this);
    if (wizard.exec() == QDialog::Accepted && !wizard.createdRegistry().isEmpty())
        openRegistry(wizard.createdRegistry());
}

void MainWindow::loadRegistry()
{
    if (m_local) { // nothing there yet: the welcome page instead of an empty canvas
        const bool missing = !QFileInfo::exists(m_registryPath);
        m_clusterStack->setCurrentIndex(missing ? 0 : 1);
        if (missing) {
            m_welcome->setLookedFor(m_registryPath);
            m_statusLabel->setText(tr("No registry yet"));
            return;
        }
    }
    m_link->loadRegistry(m_registryPath).then(this, [this](const CheckedRegistry &checked) {
        showRegistry(checked);
    });
}

void MainWindow::observe()
{
    // On a thread of its own: a host that hangs the observation never delays a deploy, and a
    // pass still waiting for one is not queued again behind it.
    if (!m_registry || m_observing == m_registry->path)
        return;
    m_observing = m_registry->path;
    m_statusLabel->setText(tr("Observing…"));
    m_link->observe(*m_registry, true)
        .then(this, [this, path = m_registry->path](const Observation &seen) {
            if (m_observing == path)
                m_observing.clear();
            if (seen.routes) {
                QMap<QString, TopologyView::Route> routes;
                for (auto it = seen.routes->cbegin(); it != seen.routes->cend(); ++it)
                    routes.insert(it.key(), {it->url, it->state});
                m_topology->setRoutes(routes);
            }
            if (m_registry && m_registry->path == path) // not a registry switched away from
                showObservation(seen.hosts);
        });
}

void MainWindow::refreshFromCoordinator()
{
    if (!m_registry)
        return;
    m_link->observe(*m_registry, false).then(this, [this](const Observation &seen) {
        if (!seen.hosts.isEmpty())
            showObservation(seen.hosts);
    });
}

void MainWindow::followCoordinator()
{
    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setObjectName(u"connectionLabel"_s);
    statusBar()->addPermanentWidget(m_connectionLabel);
    m_watchdogLabel->setText(tr("Healing: by the coordinator"));
    const auto showConnection = [this](bool up, const QString &detail) {
        m_connectionLabel->setText(
            up ? tr("● %1 (%2)").arg(m_link->where(), toString(m_link->role()))
               : tr("● Disconnected — reconnecting…"));
        m_connectionLabel->setStyleSheet(up ? QString() : u"color: #c62828;"_s);
        m_connectionLabel->setToolTip(detail);
        if (!up)
            statusBar()->showMessage(detail, 15000);
    };
    showConnection(true, tr("Connected to %1 as %2").arg(m_link->where(), m_link->principal()));
    connect(m_link.get(), &ClusterLink::connectionChanged, this, showConnection);
    connect(m_link.get(), &ClusterLink::registryChanged, this, &MainWindow::loadRegistry);
    // A burst of health events (a host going down) is one look at the coordinator's memory.
    auto *settle = new QTimer(this);
    settle->setSingleShot(true);
    settle->setInterval(250);
    connect(settle, &QTimer::timeout, this, &MainWindow::refreshFromCoordinator);
    connect(m_link.get(), &ClusterLink::statesChanged, settle, qOverload<>(&QTimer::start));
    // A burst of jobs ending (a CI pipeline's) is one reload, not one per job.
    auto *historySettle = new QTimer(this);
    historySettle->setSingleShot(true);
    historySettle->setInterval(300);
    connect(historySettle, &QTimer::timeout, this, [this] {
        m_historyPage->reload();
        m_deployPanel->checkOutOfDate();
    });
    connect(m_link.get(), &ClusterLink::historyChanged, historySettle, qOverload<>(&QTimer::start));
    connect(m_link.get(), &ClusterLink::healEvent, this, [this](const HealEvent &e) {
        m_healthPage->addEvent(e);
        if (e.kind == HealEvent::Kind::GivenUp)
            notify(tr("%1 on %2").arg(e.service, e.host), toText(e), true);
    });
}

void MainWindow::showObservation(const QList<HostState> &hosts)
{
    if (!m_registry)
        return;
    for (const HostState &h : hosts) {
        if (!m_registry->hosts.contains(h.host)) // a pass begun on the registry before
            continue;
        m_hostStates.insert(h.host, h);
        for (const ServiceState &s : h.services) {
            if (!m_registry->services.contains(s.service))
                continue;
            const auto before = m_serviceStates.constFind(s.service);
            if (before != m_serviceStates.cend() && before->isWell() && !s.isWell())
                notify(tr("%1 on %2").arg(s.service, s.host),
                       s.state == QLatin1String("running") ? tr("unhealthy: %1").arg(s.healthDetail)
                                                           : s.state,
                       true);
            m_serviceStates.insert(s.service, s);
        }
    }
    m_topology->setHostStates(hosts);
    m_topology->setStates(m_serviceStates);
    m_healthPage->showObservation(hosts);
    const auto running = std::count_if(m_serviceStates.cbegin(), m_serviceStates.cend(),
                                       [](const ServiceState &s) { return s.isWell(); });
    const QString summary =
        tr("%1 of %2 services running").arg(running).arg(m_serviceStates.size());
    m_statusLabel->setText(summary);
    if (m_tray) {
        m_tray->setToolTip(tr("Portoser: %1").arg(summary));
        m_tray->setIcon(running == m_serviceStates.size() ? windowIcon()
                                                          : Icons::themed(u"health"_s, Qt::red));
    }
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
    if (const auto refusal =
            Orchestrator::moveRefusal(*m_registry, service, toHost, {}, m_hostStates)) {
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

void MainWindow::runServiceAction(const QString &service, ServiceAction action)
{
    if (m_deployPanel->isBusy()) {
        statusBar()->showMessage(tr("A deploy is running; try again when it has finished."), 8000);
        return;
    }
    // Stopping is the one that takes something away: ask first.
    if (action == ServiceAction::Stop && m_confirmStops
        && QMessageBox::question(this, tr("Stop %1").arg(service),
                                 tr("Stop %1? It stays stopped (the watchdog leaves it alone) "
                                    "until it is started or deployed again.")
                                     .arg(service))
               != QMessageBox::Yes)
        return;
    if (auto *dock = qobject_cast<QDockWidget *>(m_deployPanel->parentWidget())) {
        dock->show();
        dock->raise();
    }
    m_deployPanel->runServiceAction(service, action);
}

void MainWindow::setWatchdogRunning(bool running)
{
    if (!m_registry || !m_local)
        return;
    if (!running) {
        if (m_healLoop)
            m_healLoop->pause();
        m_watchdogLabel->setText(tr("Watchdog paused"));
        return;
    }
    if (!m_healLoop && !m_registry->coordinator.url.isEmpty() && !m_coordinatorChecked) {
        // One healer per cluster: ask (off this thread) whether the named coordinator answers.
        m_watchdogLabel->setText(tr("Watchdog: asking %1…").arg(m_registry->coordinator.url));
        QtConcurrent::run([registry = *m_registry] {
            return HealLoop::heldByCoordinator(registry);
        }).then(this, [this](const std::optional<QString> &held) {
            if (held) {
                const QSignalBlocker quiet(m_watchdogAction);
                m_watchdogAction->setChecked(false);
                m_watchdogLabel->setText(tr("Watchdog off: the coordinator heals"));
                m_watchdogLabel->setToolTip(*held);
                statusBar()->showMessage(tr("Watchdog not started: %1").arg(*held), 15000);
                return;
            }
            m_coordinatorChecked = true;
            if (m_watchdogAction->isChecked())
                setWatchdogRunning(true);
        });
        return;
    }
    if (!m_healLoop) {
        m_healLoop = std::make_unique<HealLoop>(m_settings.orchestrator(), *m_registry);
        m_healLoop->setIntervalOverride(m_settings.healIntervalSeconds);
        connect(m_healLoop.get(), &HealLoop::event, this, [this](const HealEvent &e) {
            m_healthPage->addEvent(e);
            // A service going down is notified by showObservation; giving up only here.
            if (e.kind == HealEvent::Kind::GivenUp)
                notify(tr("%1 on %2").arg(e.service, e.host), toText(e), true);
        });
        connect(m_healLoop.get(), &HealLoop::observed, this, &MainWindow::showObservation);
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
    if (m_local) { // an edit of an included file or a service file counts as much as one here
        QStringList wanted = registry.watchPaths;
        wanted.append(m_registryPath);
        const QStringList watched = m_registryWatcher->files() + m_registryWatcher->directories();
        for (const QString &path : watched) {
            if (!wanted.contains(path))
                m_registryWatcher->removePath(path);
        }
        for (const QString &path : std::as_const(wanted)) {
            if (!watched.contains(path) && QFileInfo::exists(path))
                m_registryWatcher->addPath(path);
        }
    }
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
    if (m_secretsPage)
        m_secretsPage->setRegistry(registry);
    m_deployPanel->setRegistry(registry);
    m_historyPage->setRegistry(registry);
    m_healthPage->setRegistry(registry);
    m_logsPage->setRegistry(registry);
    if (checked.isValid()) {
        if (!m_registry || m_registry->coordinator.url != registry.coordinator.url)
            m_coordinatorChecked = false; // a coordinator named anew is asked again
        m_registry = registry;
        m_serviceStates.removeIf(
            [&registry](auto it) { return !registry.services.contains(it.key()); });
        m_hostStates.removeIf([&registry](auto it) { return !registry.hosts.contains(it.key()); });
        if (m_healLoop)
            m_healLoop->setRegistry(registry);
        m_watchdogAction->setEnabled(m_local != nullptr);
        if (m_local)
            observe();
        else
            refreshFromCoordinator();
    }
    m_statusLabel->setText(tr("%1 hosts, %2 services, %3 errors, %4 warnings")
                               .arg(registry.hosts.size())
                               .arg(registry.services.size())
                               .arg(errorCount(checked.issues))
                               .arg(warningCount(checked.issues)));
}

} // namespace Portoser
