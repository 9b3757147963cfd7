// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/ServiceState.h"
#include "core/registry/Registry.h"
#include "widgets/AppSettings.h"
#include "widgets/ServiceAction.h"

#include <QMainWindow>

#include <memory>
#include <optional>

class QAction;
class QMenu;
class QFileSystemWatcher;
class QSystemTrayIcon;
class QLabel;
class QTreeWidget;

namespace Portoser {

class DeployPanel;
class HealLoop;
class HealthPage;
class HistoryPage;
class LogsPage;
class OrchestratorThread;
class SecretsPage;
class StagedMoves;
class TopologyView;

/**
 * The desktop control center: the topology of hosts and services (drag a service onto another
 * host to stage a move), the deploy panel (staged changes, plan, deploy with live progress),
 * the history with rollback, the secrets editor, the registry's problems and the self-heal
 * watchdog. Registry loading, SSH, SQL and crypto all run off the GUI thread.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(const QString &registryPath, QWidget *parent = nullptr);
    ~MainWindow() override;

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
    void buildMenus();
    void buildToolBar();
    /** A tray notification where the desktop has a tray, and the status bar either way. */
    void notify(const QString &title, const QString &message, bool warning);
    /** Reads and checks the registry file off the GUI thread, then shows it. */
    void loadRegistry();
    void showRegistry(const CheckedRegistry &checked);
    /** Asks the hosts how the services are (off the GUI thread); the chips take the colours. */
    void observe();
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
    QString m_observing; // the registry of the observation running now
    // Three threads, so that nothing waits behind what it does not need: a deploy never holds up
    // the history page, nor a log or a diagnosis of another host (on the host it deploys to, they
    // wait for the step running there: one SSH session per host), and a hung host's observation
    // delays neither.
    std::unique_ptr<OrchestratorThread> m_worker;   // deploys, plans, rollbacks
    std::unique_ptr<OrchestratorThread> m_reads;    // history, logs, diagnoses, heal events
    std::unique_ptr<OrchestratorThread> m_observer; // observations only
    std::unique_ptr<OrchestratorThread> m_planner;  // what a plain deploy would do (out of date)
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
