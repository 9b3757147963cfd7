// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Orchestrator.h"
#include "core/access/Access.h"
#include "core/runtime/EventHub.h"
#include "core/runtime/JobQueue.h"
#include "core/runtime/OrchestratorThread.h"
#include "core/runtime/StatusCache.h"

#include <QHash>
#include <QObject>

#include <optional>

namespace Portoser {

struct Operation;

/** How an operation ended: its result or error, and for a job its id. */
struct OperationOutcome
{
    Result<QJsonValue> result = QJsonValue();
    QString jobId;
};

/**
 * The long-lived state behind `--serve` and `--cli mcp`: the registry (reloadable), what was
 * last observed, the event stream, and two workers with their own Orchestrator — one for reads,
 * one that runs jobs in order. The HTTP routes and the MCP tools run operations through it.
 */
class Coordinator : public QObject
{
    Q_OBJECT

public:
    Coordinator(QString registryPath, const OrchestratorSettings &settings,
                QObject *parent = nullptr);
    ~Coordinator() override;

    /** Loads the registry file; on errors the running registry stays. */
    Result<void> reload();
    const Registry &registry() const { return m_registry; }
    QString registryPath() const { return m_registryPath; }
    const OrchestratorSettings &settings() const { return m_settings; }

    StatusCache &status() { return m_status; }
    EventHub &events() { return m_events; }
    JobQueue &jobs() { return *m_jobs; }
    /** Tasks waiting on a read worker: the one for reads that ask hosts, or the one for reads
     *  of the store. */
    int pendingReads(bool asksHosts) const
    {
        return asksHosts ? m_hostReads.pending() : m_reads.pending();
    }

    /** Why a read should not be queued now. */
    struct ReadRefusal
    {
        bool callersShare = false; // this caller has its share waiting (others may still read)
        QString message;
    };
    /** The one place reads are shed: when a worker's queue is full (everyone waits), or when
     *  `caller` already has its share of reads of hosts waiting, so that one caller asking a
     *  silent host over and over does not take every place. Nothing: go ahead. */
    std::optional<ReadRefusal> admitRead(const QString &caller, bool asksHosts) const;

    /**
     * Checks `arguments` against the operation's schema and runs it: a read on the read worker,
     * a job on the job queue. `done` is called on this object's thread; for a job it is called
     * once the job is queued unless `awaitJob`, then when it has finished. `progress` gets each
     * step of a job (from this thread).
     */
    void run(const Operation &operation, const QJsonObject &arguments, const Principal &caller,
             bool awaitJob, std::function<void(const OperationOutcome &)> done,
             std::function<void(const QJsonObject &)> progress = {});

    /** Runs `task` with a read worker's Orchestrator (the host-reads one when it `asksHosts`);
     *  `done` gets its result on this thread. */
    void read(std::function<Result<QJsonValue>(Orchestrator &)> task,
              std::function<void(const Result<QJsonValue> &)> done, bool asksHosts = false,
              const QString &caller = {});

signals:
    void registryChanged();

private:
    QString m_registryPath;
    OrchestratorSettings m_settings;
    Registry m_registry;
    StatusCache m_status;
    EventHub m_events;
    std::unique_ptr<JobQueue> m_jobs;  // outlives the threads that report to it
    OrchestratorThread m_reads;        // the store and memory
    OrchestratorThread m_hostReads;    // reads that ask hosts (logs, observe, diagnose)
    QHash<QString, int> m_hostReadsBy; // caller → its reads of hosts queued or running
    OrchestratorThread m_jobThread;
};

} // namespace Portoser
