// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Registry.h"

#include <QMainWindow>

#include <memory>
#include <optional>

class QAction;
class QLabel;
class QListWidget;
class QTreeWidget;

namespace Portoser {

class HealLoop;
class SecretsPage;

/**
 * The desktop control center. Until the GUI issue (#6) it shows the registry's hosts and
 * services and its validation issues, loaded off the GUI thread, and runs the self-heal
 * watchdog on demand, listing its events as they happen.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(const QString &registryPath, QWidget *parent = nullptr);
    ~MainWindow() override;

private:
    void showRegistry(const CheckedRegistry &checked);
    /** Runs or pauses the self-heal watchdog (on its own thread) over the loaded registry. */
    void setWatchdogRunning(bool running);

    QString m_registryPath;
    QTreeWidget *m_clusterTree = nullptr;
    QTreeWidget *m_issuesTree = nullptr;
    QLabel *m_statusLabel = nullptr;
    QLabel *m_watchdogLabel = nullptr;
    QListWidget *m_healEvents = nullptr;
    QAction *m_watchdogAction = nullptr;
    SecretsPage *m_secretsPage = nullptr;
    std::optional<Registry> m_registry; // the valid registry on show
    std::unique_ptr<HealLoop> m_healLoop;
};

} // namespace Portoser
