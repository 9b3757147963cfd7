// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Host.h"
#include "core/transport/SshTransport.h"
#include "core/transport/Transport.h"
#include "core/transport/TransportSettings.h"

#include <QFuture>
#include <QObject>
#include <QPromise>
#include <QThread>

#include <functional>
#include <memory>

namespace Portoser {

/**
 * One thread per host that owns the host's transport: work for one host runs in order, work for
 * different hosts in parallel, and a libssh session never changes thread.
 */
class HostWorker : public QObject
{
    Q_OBJECT

public:
    HostWorker(const Host &host, const TransportSettings &settings);
    ~HostWorker() override;
    Q_DISABLE_COPY_MOVE(HostWorker)

    const Host &host() const { return m_host; }

    /** Runs `job` on this host's thread with its transport; the future holds what it returns. */
    template <typename T>
    QFuture<T> submit(std::function<T(Transport &)> job)
    {
        auto promise = std::make_shared<QPromise<T>>();
        QFuture<T> future = promise->future();
        promise->start();
        QMetaObject::invokeMethod(
            m_context,
            [this, promise, job = std::move(job), queuedAt = std::chrono::steady_clock::now()] {
                Transport &t = transport();
                t.beginJob(queuedAt); // work that waited on a failing connect fails with it
                promise->addResult(job(t));
                promise->finish();
            },
            Qt::QueuedConnection);
        return future;
    }
    /** Starts connecting now, without waiting: the next job finds the session open (or fails
     *  with that connect's error, as it would have itself). */
    void warmUp()
    {
        submit<int>([](Transport &t) {
            (void)t.connect();
            return 0;
        });
    }
    /** Runs one script on this host's thread and waits for it: the common case of `submit`. */
    Result<CommandResult> runScript(const QString &script, std::chrono::milliseconds timeout)
    {
        return submit<Result<CommandResult>>(
                   [script, timeout](Transport &t) { return t.run(script, timeout); })
            .result();
    }

private:
    Transport &transport(); // made on first use, on the worker thread

    Host m_host;
    TransportSettings m_settings;
    QThread m_thread;
    QObject *m_context = nullptr; // lives in m_thread; its queued calls are the jobs
    std::unique_ptr<Transport> m_transport;
};

} // namespace Portoser
