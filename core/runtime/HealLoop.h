// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/ServiceState.h"
#include "core/heal/HealStore.h"
#include "core/registry/Registry.h"

#include <QObject>
#include <QThread>

#include <memory>

namespace Portoser {

struct OrchestratorSettings;
class HealLoopWorker;

/**
 * The watchdog: runs the self-healing loop on a timer, each service at its `health.interval`
 * (default 10 s), on a thread of its own with its own Orchestrator (sessions, database
 * connection), so it never blocks the GUI or the API and never overlaps itself. Pausable.
 * Of several coordinators on one database only the one that leads heals; the rest observe.
 * Events arrive as signals on the thread that made the loop.
 */
class HealLoop : public QObject
{
    Q_OBJECT

public:
    HealLoop(const OrchestratorSettings &settings, const Registry &registry,
             QObject *parent = nullptr);
    ~HealLoop() override;
    Q_DISABLE_COPY_MOVE(HealLoop)

    /**
     * One healer per cluster: why a watchdog outside the registry's coordinator must not start,
     * or nothing when it may. It may not while the coordinator the registry names
     * (`coordinator: {url}`) answers its /healthz (within 2 s). Blocks: call it off the GUI
     * thread.
     */
    static std::optional<QString> heldByCoordinator(const Registry &registry);

    /** Another store, secrets backend or host-key policy, from the next pass on (never waits
     *  for the pass running now). */
    void setSettings(const OrchestratorSettings &settings);
    /** Checks every service this often instead of its own interval (0: their own). */
    void setIntervalOverride(int seconds);
    void setRegistry(const Registry &registry);
    /** Only observes (keeps `observed` coming) without healing anything. */
    void setObserveOnly(bool observeOnly);
    void start();
    void pause();
    void resume();
    bool isPaused() const { return m_paused; }
    bool isObserveOnly() const { return m_observeOnly; }

signals:
    void event(const Portoser::HealEvent &event);
    /** After each pass: how many services were looked at and had problems, and its duration. */
    void passFinished(int services, int withProblems, qint64 milliseconds);
    /** What a pass saw of the hosts and the services it looked at. */
    void observed(const QList<Portoser::HostState> &hosts);
    /** This coordinator took or lost the lead of the healer (only the leader heals). */
    void leadershipChanged(bool leads);

private:
    QThread m_thread;
    HealLoopWorker *m_worker = nullptr; // lives in m_thread
    bool m_paused = true;
    bool m_observeOnly = false;
};

} // namespace Portoser

Q_DECLARE_METATYPE(Portoser::HealEvent)
Q_DECLARE_METATYPE(QList<Portoser::HostState>)
