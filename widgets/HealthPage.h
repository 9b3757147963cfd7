// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/ServiceState.h"
#include "core/heal/HealStore.h"
#include "core/registry/Registry.h"
#include "widgets/ServiceAction.h"

#include <QWidget>

#include <optional>

class QAction;
class QHBoxLayout;
class QLabel;
class QListWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace Portoser {

class ClusterLink;

/**
 * Health: each service's state, health score, the problems (fingerprints) the analyzer finds with
 * the playbook that would run, and the self-heal events as they happen (and the last ones from
 * the store). Diagnose shows the same data as `portoser --cli diagnose`.
 */
class HealthPage : public QWidget
{
    Q_OBJECT

public:
    /** `reads` runs diagnoses and reads events (never behind a deploy). */
    HealthPage(ClusterLink *link, QWidget *parent = nullptr);

    void setRegistry(const Registry &registry);
    /** Observes every service and diagnoses it (off the GUI thread). */
    void diagnose();
    /** Reads the last heal events from the store. */
    void loadEvents();
    /** What an observation found (Observe, the watchdog's passes): state, health, pid, uptime. */
    void showObservation(const QList<HostState> &hosts);
    /** A heal event from the running watchdog, shown first. */
    void addEvent(const HealEvent &event);
    QTreeWidget *servicesTree() const { return m_services; }
    /** Puts a window action (Observe, the watchdog's pause/resume) in the page's bar too. */
    void addToolAction(QAction *action);

signals:
    /** A service row's menu asked to start, stop or restart it. */
    void serviceActionRequested(const QString &service, Portoser::ServiceAction action);

private:
    enum Column {
        ServiceColumn,
        HostColumn,
        StateColumn,
        HealthColumn,
        PidColumn,
        UptimeColumn,
        ScoreColumn,
        ProblemColumn
    };
    void showState(QTreeWidgetItem *item, const ServiceState &state);
    /** The service's row, made when missing. */
    QTreeWidgetItem *rowOf(const QString &service);
    void clearServices();

    ClusterLink *m_link;
    std::optional<Registry> m_registry;
    QTreeWidget *m_services;
    QHash<QString, QTreeWidgetItem *> m_rows; // service -> its top-level row
    QTreeWidget *m_events; // a table: time, service, host, what, problem, playbook, record
    void putEvent(const HealEvent &event, bool newestFirst);
    QLabel *m_status;
    QHBoxLayout *m_bar;
};

} // namespace Portoser
