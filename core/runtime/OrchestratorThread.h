// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Orchestrator.h"

#include <QObject>
#include <QThread>

#include <atomic>
#include <functional>

namespace Portoser {

/**
 * A thread that owns an Orchestrator (its SSH sessions and database connection stay on it) and
 * runs posted tasks one after another. The API keeps blocking work here, off its event loop.
 */
class OrchestratorThread : public QObject
{
    Q_OBJECT

public:
    using Task = std::function<void(Orchestrator &)>;

    OrchestratorThread(const OrchestratorSettings &settings, const QString &name,
                       QObject *parent = nullptr);
    ~OrchestratorThread() override;
    Q_DISABLE_COPY_MOVE(OrchestratorThread)

    void post(Task task);
    /** The orchestrator takes `settings` before the next task (sessions and store reopen). */
    void setSettings(const OrchestratorSettings &settings);
    /** Lets the running task finish and drops those not started (graceful shutdown). */
    void stop();
    /** Tasks posted and not finished yet. */
    int pending() const { return m_pending.load(); }

private:
    QThread m_thread;
    QObject *m_context = nullptr; // lives in m_thread
    OrchestratorSettings m_settings;
    std::unique_ptr<Orchestrator> m_orchestrator; // made and destroyed on m_thread
    std::atomic<int> m_pending{0};
    std::atomic<bool> m_stopping{false};
};

} // namespace Portoser
