// SPDX-License-Identifier: Apache-2.0
#include "core/runtime/Coordinator.h"

#include "core/access/JsonSchema.h"
#include "core/runtime/Operations.h"

#include <QJsonArray>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

Coordinator::Coordinator(QString registryPath, const OrchestratorSettings &settings,
                         QObject *parent)
    : QObject(parent)
    , m_registryPath(std::move(registryPath))
    , m_settings(settings)
    , m_reads(settings, u"portoser-api-reads"_s)
    , m_hostReads(settings, u"portoser-api-host-reads"_s)
    , m_jobThread(settings, u"portoser-api-jobs"_s)
{
    m_jobs = std::make_unique<JobQueue>(m_jobThread, m_events);
    // A health change is an event on the stream.
    connect(
        &m_status, &StatusCache::changed, this,
        [this](const QJsonObject &service, const QString &fromState, const QString &fromHealth) {
            QJsonObject data = service;
            data.insert(u"previous"_s,
                        QJsonObject{{u"state"_s, fromState}, {u"health"_s, fromHealth}});
            m_events.publish(u"health"_s, data);
        });
    // A move edits current_host in the registry file: follow it.
    connect(m_jobs.get(), &JobQueue::finished, this, [this](const QString &id) {
        const auto job = m_jobs->job(id);
        if (job
            && (job->operation == u"move_service"
                || (job->operation == u"apply_changes"
                    && !job->arguments.value(u"moves"_s).toArray().isEmpty()))) {
            if (auto ok = reload(); !ok)
                m_events.publish(u"registry"_s, {{u"error"_s, ok.error().message}});
        }
    });
}

Coordinator::~Coordinator() = default;

Result<void> Coordinator::reload()
{
    const CheckedRegistry checked = Orchestrator().checkRegistry(m_registryPath);
    if (!checked.isValid()) {
        QStringList errors;
        for (const Issue &issue : checked.issues) {
            if (issue.isError())
                errors.append(issue.toString());
        }
        return Error{ErrorCode::InvalidInput,
                     u"%1 is invalid; still running the previous registry:\n%2"_s.arg(
                         m_registryPath, errors.join(u'\n'))};
    }
    m_registry = checked.registry;
    m_status.setRegistry(m_registry);
    m_events.publish(u"registry"_s, {{u"path"_s, m_registryPath},
                                     {u"hosts"_s, m_registry.hosts.size()},
                                     {u"services"_s, m_registry.services.size()}});
    emit registryChanged();
    return {};
}

void Coordinator::run(const Operation &operation, const QJsonObject &arguments,
                      const Principal &caller, bool awaitJob,
                      std::function<void(const OperationOutcome &)> done,
                      std::function<void(const QJsonObject &)> progress)
{
    if (const auto wrong = JsonSchema::validate(operation.inputSchema, arguments)) {
        done({Error{ErrorCode::InvalidInput, *wrong}, {}});
        return;
    }
    auto run = operation.run;
    const Registry registry = m_registry;
    const QMap<QString, ServiceState> known = m_status.services();
    const QString actor = caller.name;
    if (!operation.job) {
        read(
            [=](Orchestrator &orchestrator) {
                OperationCall call{orchestrator, registry, arguments, actor, known, {}};
                return run(call);
            },
            [done](const Result<QJsonValue> &result) {
                done({result, {}});
            },
            operation.asksHosts, actor);
        return;
    }
    const QString id = m_jobs->submit(
        operation.name, arguments, actor, [=](Orchestrator &orchestrator, const ProgressFn &steps) {
            OperationCall call{orchestrator, registry, arguments, actor, known, steps};
            return run(call);
        });
    if (!awaitJob) {
        done({QJsonValue(QJsonObject{{u"job"_s, id}}), id});
        return;
    }
    auto stepConnection = std::make_shared<QMetaObject::Connection>();
    auto endConnection = std::make_shared<QMetaObject::Connection>();
    if (progress)
        *stepConnection = connect(m_jobs.get(), &JobQueue::step, this,
                                  [id, progress](const QString &jobId, const QJsonObject &step) {
                                      if (jobId == id)
                                          progress(step);
                                  });
    *endConnection = connect(m_jobs.get(), &JobQueue::finished, this,
                             [this, id, done, stepConnection, endConnection](const QString &jobId) {
                                 if (jobId != id)
                                     return;
                                 disconnect(*stepConnection);
                                 disconnect(*endConnection);
                                 const Job job = *m_jobs->job(id);
                                 if (!job.errorCode.isEmpty()) // it could not run at all
                                     done({Error{ErrorCode::Failed, job.error}, id});
                                 else
                                     done({job.result, id});
                             });
}

namespace {
constexpr int MaxQueuedReads = 32;
constexpr int MaxHostReadsPerCaller = 8;
} // namespace

std::optional<Coordinator::ReadRefusal> Coordinator::admitRead(const QString &caller,
                                                               bool asksHosts) const
{
    if (pendingReads(asksHosts) > MaxQueuedReads)
        return ReadRefusal{false, u"too many reads queued; try again shortly"_s};
    if (asksHosts && !caller.isEmpty() && m_hostReadsBy.value(caller) >= MaxHostReadsPerCaller)
        return ReadRefusal{true, u"%1 already has %2 reads of hosts waiting; wait for their "
                                 "answers"_s.arg(caller)
                                     .arg(MaxHostReadsPerCaller)};
    return std::nullopt;
}

void Coordinator::read(std::function<Result<QJsonValue>(Orchestrator &)> task,
                       std::function<void(const Result<QJsonValue> &)> done, bool asksHosts,
                       const QString &caller)
{
    const bool counted = asksHosts && !caller.isEmpty();
    if (counted)
        ++m_hostReadsBy[caller];
    (asksHosts ? m_hostReads : m_reads)
        .call(std::move(task))
        .then(this, [this, done = std::move(done), counted, caller](const Result<QJsonValue> &r) {
            if (counted && --m_hostReadsBy[caller] <= 0)
                m_hostReadsBy.remove(caller);
            done(r);
        });
}

} // namespace Portoser
