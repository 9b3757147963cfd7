// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Orchestrator.h"

#include <QFuture>
#include <QObject>
#include <QPromise>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <type_traits>

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
    /**
     * Runs `fn` on this thread; its result arrives through the future. A widget continues it on
     * its own thread with `.then(widget, …)`, which never runs once the widget is gone. A call
     * dropped by stop() ends canceled. The work starts at the caller's next event-loop turn, after
     * it has attached its continuation, so that continuation always runs queued, never inside the
     * caller (a model's fetchMore must not insert rows while a view still handles the signal
     * that asked for them).
     */
    template <typename Fn>
    auto call(Fn fn) -> QFuture<std::invoke_result_t<Fn &, Orchestrator &>>
    {
        using R = std::invoke_result_t<Fn &, Orchestrator &>;
        auto promise = std::make_shared<QPromise<R>>();
        promise->start();
        QFuture<R> future = promise->future();
        postLater([promise, fn = std::move(fn)](Orchestrator &o) mutable {
            promise->addResult(fn(o));
            promise->finish();
        });
        return future;
    }
    /** The orchestrator takes `settings` before the next task (sessions and store reopen). */
    void setSettings(const OrchestratorSettings &settings);
    /** Lets the running task finish and drops those not started (graceful shutdown). */
    void stop();
    /** Tasks posted and not finished yet. */
    int pending() const { return m_pending.load(); }

private:
    void postLater(Task task);
    void enqueue(Task task);

    QThread m_thread;
    QObject *m_context = nullptr; // lives in m_thread
    OrchestratorSettings m_settings;
    std::unique_ptr<Orchestrator> m_orchestrator; // made and destroyed on m_thread
    std::atomic<int> m_pending{0};
    std::atomic<bool> m_stopping{false};
};

} // namespace Portoser
