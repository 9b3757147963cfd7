// SPDX-License-Identifier: Apache-2.0
#include "core/runtime/JobQueue.h"

#include "core/ErrorCodes.h"
#include "core/runtime/EventHub.h"
#include "core/runtime/Operations.h"
#include "core/runtime/OrchestratorThread.h"

#include <QUuid>

#include <array>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

static QString iso(const QDateTime &t)
{
    return t.isValid() ? t.toString(Qt::ISODateWithMs) : QString();
}

namespace {

const std::array<std::pair<JobState, QStringView>, 4> JobStateNames = {{
    {JobState::Queued, u"queued"},
    {JobState::Running, u"running"},
    {JobState::Succeeded, u"succeeded"},
    {JobState::Failed, u"failed"},
}};

} // namespace

QString toString(JobState state)
{
    for (const auto &[s, name] : JobStateNames) {
        if (s == state)
            return name.toString();
    }
    return {};
}

std::optional<JobState> jobStateFromString(QStringView name)
{
    for (const auto &[s, n] : JobStateNames) {
        if (n == name)
            return s;
    }
    return std::nullopt;
}

QJsonObject toJson(const Job &job)
{
    QJsonObject o{
        {u"id"_s, job.id},
        {u"operation"_s, job.operation},
        {u"arguments"_s, job.arguments},
        {u"actor"_s, job.actor},
        {u"state"_s, toString(job.state)},
        {u"created_at"_s, iso(job.createdAt)},
        {u"started_at"_s, job.startedAt.isValid() ? QJsonValue(iso(job.startedAt)) : QJsonValue()},
        {u"finished_at"_s,
         job.finishedAt.isValid() ? QJsonValue(iso(job.finishedAt)) : QJsonValue()},
        {u"steps"_s, job.steps}};
    if (job.finished()) {
        o.insert(u"result"_s, job.result);
        if (!job.error.isEmpty())
            o.insert(u"error"_s,
                     QJsonObject{{u"code"_s, job.errorCode}, {u"message"_s, job.error}});
    }
    return o;
}

JobQueue::JobQueue(OrchestratorThread &thread, EventHub &events, int keep, QObject *parent)
    : QObject(parent)
    , m_thread(thread)
    , m_events(events)
    , m_keep(keep)
{}

QString JobQueue::submit(const QString &operation, const QJsonObject &arguments,
                         const QString &actor, Runner runner)
{
    Job job;
    job.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    job.operation = operation;
    job.arguments = arguments;
    job.actor = actor;
    job.createdAt = QDateTime::currentDateTimeUtc();
    m_jobs.push_back(job);
    while (int(m_jobs.size()) > m_keep && m_jobs.front().finished())
        m_jobs.pop_front();
    m_events.publish(u"job"_s, {{u"job"_s, job.id},
                                {u"operation"_s, operation},
                                {u"state"_s, toString(job.state)},
                                {u"actor"_s, actor}});

    const QString id = job.id;
    m_thread.post([this, id, runner = std::move(runner)](Orchestrator &orchestrator) {
        QMetaObject::invokeMethod(this, [this, id] {
            if (Job *j = find(id)) {
                j->state = JobState::Running;
                j->startedAt = QDateTime::currentDateTimeUtc();
                m_events.publish(u"job"_s, {{u"job"_s, id}, {u"state"_s, toString(j->state)}});
            }
        });
        const ProgressFn progress = [this, id](const DeployProgress &p) {
            const QJsonObject step{{u"service"_s, p.service},
                                   {u"host"_s, p.host},
                                   {u"step"_s, toString(p.step)},
                                   {u"detail"_s, p.detail}};
            QMetaObject::invokeMethod(this, [this, id, step] { onStep(id, step); });
        };
        const Result<QJsonValue> result = runner(orchestrator, progress);
        QMetaObject::invokeMethod(this, [this, id, result] { onDone(id, result); });
    });
    return id;
}

Job *JobQueue::find(const QString &id)
{
    for (Job &j : m_jobs) {
        if (j.id == id)
            return &j;
    }
    return nullptr;
}

void JobQueue::onStep(const QString &id, const QJsonObject &step)
{
    QJsonObject stamped = step;
    stamped.insert(u"at"_s, iso(QDateTime::currentDateTimeUtc()));
    if (Job *j = find(id))
        j->steps.append(stamped);
    QJsonObject event = step;
    event.insert(u"job"_s, id);
    m_events.publish(u"job.step"_s, event);
    emit this->step(id, stamped);
}

void JobQueue::onDone(const QString &id, const Result<QJsonValue> &result)
{
    Job *j = find(id);
    if (!j)
        return;
    j->finishedAt = QDateTime::currentDateTimeUtc();
    if (result) {
        j->result = *result;
        // An operation that ran but left a service not running is a failed job.
        const bool allOk = Operations::allRecordsSucceeded(*result);
        j->state = allOk ? JobState::Succeeded : JobState::Failed;
        if (!allOk)
            j->error = u"not every service succeeded: see result.records"_s;
    } else {
        j->state = JobState::Failed;
        j->error = result.error().message;
        j->errorCode = errorCodeName(result.error().code);
    }
    m_events.publish(u"job"_s, {{u"job"_s, id},
                                {u"operation"_s, j->operation},
                                {u"state"_s, toString(j->state)},
                                {u"error"_s, j->error}});
    emit finished(id);
}

std::optional<Job> JobQueue::job(const QString &id) const
{
    for (const Job &j : m_jobs) {
        if (j.id == id)
            return j;
    }
    return std::nullopt;
}

QList<Job> JobQueue::jobs() const
{
    return {m_jobs.begin(), m_jobs.end()};
}

int JobQueue::running() const
{
    int n = 0;
    for (const Job &j : m_jobs)
        n += !j.finished();
    return n;
}

} // namespace Portoser
