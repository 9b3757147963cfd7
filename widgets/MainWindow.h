// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/ServiceState.h"
#include "core/registry/Registry.h"
#include "widgets/AppSettings.h"
#include "widgets/ServiceAction.h"

#include <QMainWindow>

#include <functional>
#include <memory>
#include <optional>

class QAction;
class QMenu;
class QFileSystemWatcher;
class QSystemTrayIcon;
class QLabel;
class QStackedWidget;
class QTreeWidget;

namespace Portoser {

class ClusterLink;
class CoordinatorLink;
class DeployPanel;
class HealLoop;
class HealthPage;
class HistoryPage;
class LocalLink;
class LogsPage;
class SecretsPage;
class StagedMoves;
class TopologyView;
class WelcomePage;

/**
 * The desktop control center: the topology of hosts and services (drag a service onto another
 * host to stage a move), the deploy panel (staged changes, plan, deploy with live progress),
 * the history with rollback, the secrets editor, the registry's problems and the self-heal
 * watchdog. Registry loading, SSH, SQL and crypto all run off the GUI thread.
 *
 * A window works on this computer (its own SSH sessions, store and watchdog) or connected to a
 * coordinator (`portoser --serve`), whose API it uses for everything: then it never heals (the
 * coordinator does), offers what the coordinator's role for it allows, and follows the
 * coordinator's event stream.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /** A window on this computer for the registry at `registryPath` (empty: --registry's rule:
     *  $PORTOSER_REGISTRY, the last one opened, ./registry.yml, ~/.portoser/registry.yml). */
    explicit MainWindow(const QString &registryPath, QWidget *parent = nullptr);
    /** A window on the cluster a coordinator runs, through `link` (connected already). */
    explicit MainWindow(std::unique_ptr<CoordinatorLink> link, QWidget *parent = nullptr);
    ~MainWindow() override;

    /** The registry a window on this computer opens: `explicitPath`, $PORTOSER_REGISTRY, the
     *  one open last, ./registry.yml, ~/.portoser/registry.yml. */
    static QString registryToOpen(const QString &explicitPath);
    ClusterLink *link() const { return m_link.get(); }
    bool isConnected() const;
    SecretsPage *secretsPage() const { return m_secretsPage; }
    WelcomePage *welcomePage() const { return m_welcome; }
    /** Whether the welcome page shows (no registry at the chosen path yet). */
    bool isWelcoming() const;
    /** Opens a copy of the demo (made once, under ~/.portoser/demo-registry) and shows it. */
    void openDemo();
    /** Where the demo's registry ships: $PORTOSER_DEMO_DIR, the package's share directory, or
     *  examples/demo beside the build; empty when none is found. */
    static QString demoDirectory();
    /** The host wizard; the registry it creates is opened. */
    void createRegistry();
    /** File › Connect to coordinator…: asks for the URL and credential, then connects. */
    void askToConnect();
    /** How the window signs in at a coordinator. */
    struct SignIn
    {
        QByteArray token;           // typed now; empty: $PORTOSER_TOKEN, else the keychain's
        bool rememberToken = false; // keep a typed token in the keychain
        bool oidc = false;          // sign in at the coordinator's OIDC issuer instead
        std::function<void(const QUrl &)> browser; // the login page's browser (tests)
        /** The URL came from a registry file, not from the operator: $PORTOSER_TOKEN is not sent
         *  to it (a registry from elsewhere could name any server); only the token kept in the
         *  keychain for exactly that URL is. */
        bool namedByRegistry = false;
    };
    /** Connects to the coordinator at `url` and opens a window on it; says why when it
     *  cannot. */
    void connectTo(const QString &url, const SignIn &signIn);
    /** The same without a window to speak from (start-up, `--connect URL`): `opened` gets the
     *  connected window (not shown yet), or `failed` says why. */
    static void openOnCoordinator(const QString &url, const SignIn &signIn, QObject *context,
                                  std::function<void(MainWindow *)> opened,
                                  std::function<void(const QString &)> failed);

    TopologyView *topology() const { return m_topology; }
    DeployPanel *deployPanel() const { return m_deployPanel; }
    HistoryPage *historyPage() const { return m_historyPage; }
    HealthPage *healthPage() const { return m_healthPage; }
    LogsPage *logsPage() const { return m_logsPage; }
    StagedMoves *stagedMoves() const { return m_staged; }
    QString registryPath() const { return m_registryPath; }
    const AppSettings &settings() const { return m_settings; }

    /** Switches to the registry at `path` (File › Open registry…); what was staged is dropped. */
    void openRegistry(const QString &path);
    /** Saves `settings` and puts them to work: store, secrets, host keys, watchdog, registry. */
    void applySettings(const AppSettings &settings);
    /** Opens `file` at `line` in $VISUAL/$EDITOR (`EDITOR +LINE FILE`), else the desktop's
     *  handler for the file. */
    static void openInEditor(const QString &file, int line);
    /** Where Help › Documentation opens: $PORTOSER_DOCS_DIR, the package's doc directory, or the
     *  source tree's docs/ beside the build; empty when none is found. */
    static QString documentationDirectory();
    /** Start, Stop or Restart from a service's menu (its chip, or its row on the Health page):
     *  Stop asks first; the steps show in the deploy panel. */
    void runServiceAction(const QString &service, ServiceAction action);
    /** Whether Stop asks for confirmation (tests turn it off). */
    void setConfirmStops(bool confirm) { m_confirmStops = confirm; }

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    MainWindow(std::unique_ptr<ClusterLink> link, const QString &registryPath, QWidget *parent);
    void buildMenus();
    void buildToolBar();
    /** A tray notification where the desktop has a tray, and the status bar either way. */
    void notify(const QString &title, const QString &message, bool warning);
    /** Reads and checks the registry file off the GUI thread, then shows it. */
    void loadRegistry();
    void showRegistry(const CheckedRegistry &checked);
    /** Asks the hosts how the services are (off the GUI thread); the chips take the colours.
     *  Connected, the coordinator asks them. */
    void observe();
    /** Connected: what the coordinator saw last (its watchdog's passes), without asking hosts. */
    void refreshFromCoordinator();
    /** Connected: follows the link's events and shows whether it is up. */
    void followCoordinator();
    /** Hosts and services as an observation found them: cards, chips, the status line, the
     *  tray; a service that was well and is not any more is notified. */
    void showObservation(const QList<HostState> &hosts);
    void onMoveRequested(const QString &service, const QString &toHost, const QPointF &at);
    /** Runs or pauses the self-heal watchdog (on its own thread) over the loaded registry. */
    void setWatchdogRunning(bool running);

    AppSettings m_settings;
    QString m_registryPath;
    QMap<QString, HostState> m_hostStates; // the last observation, for refusing unreachable hosts
    QMap<QString, ServiceState> m_serviceStates;
    std::unique_ptr<ClusterLink> m_link; // this computer, or a coordinator
    LocalLink *m_local = nullptr;        // m_link when it is this computer
    QString m_observing;                 // the registry of the observation running now
    QLabel *m_connectionLabel = nullptr;
    QStackedWidget *m_clusterStack = nullptr; // the welcome page, or the topology
    WelcomePage *m_welcome = nullptr;
    StagedMoves *m_staged = nullptr;
    TopologyView *m_topology = nullptr;
    DeployPanel *m_deployPanel = nullptr;
    HistoryPage *m_historyPage = nullptr;
    QTreeWidget *m_issuesTree = nullptr;
    QLabel *m_statusLabel = nullptr;
    QLabel *m_watchdogLabel = nullptr;
    HealthPage *m_healthPage = nullptr;
    LogsPage *m_logsPage = nullptr;
    QAction *m_watchdogAction = nullptr;
    SecretsPage *m_secretsPage = nullptr;
    std::optional<Registry> m_registry; // the valid registry on show
    std::unique_ptr<HealLoop> m_healLoop;
    bool m_confirmStops = true;
    bool m_coordinatorChecked = false; // the named coordinator did not answer: we may heal
    QFileSystemWatcher *m_registryWatcher = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QMenu *m_recentMenu = nullptr;
};

} // namespace Portoser
