// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/deploy/ServiceDeployer.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>

#include <deque>
#include <functional>
#include <optional>

namespace Portoser {

class EventHub;
class Orchestrator;
class OrchestratorThread;

/** Where a job is; JSON carries its name ("queued", "running", "succeeded", "failed"). */
enum class JobState {
    Queued,
    Running,
    Succeeded, // every service it touched ended well
    Failed
};
QString toString(JobState state);
std::optional<JobState> jobStateFromString(QStringView name);

/** A deploy, move, restart, stop or rollback started through the API. */
struct Job
{
    QString id;
    QString operation;
    QJsonObject arguments;
    QString actor;
    JobState state = JobState::Queued;
    QDateTime createdAt, startedAt, finishedAt;
    QJsonArray steps; // {service, host, step, detail, at}
    QJsonValue result;
    QString error;
    QString errorCode;

    bool finished() const { return state == JobState::Succeeded || state == JobState::Failed; }
};

QJsonObject toJson(const Job &job);

/**
 * Runs mutating operations one after another on their own thread (a deploy never waits behind
 * a read, two jobs never touch one service at once), keeps their steps, and publishes each
 * step and end as an event. The last `keep` jobs stay queryable.
 */
class JobQueue : public QObject
{
    Q_OBJECT

public:
    using Runner = std::function<Result<QJsonValue>(Orchestrator &, const ProgressFn &)>;

    JobQueue(OrchestratorThread &thread, EventHub &events, int keep = 200,
             QObject *parent = nullptr);

    QString submit(const QString &operation, const QJsonObject &arguments, const QString &actor,
                   Runner runner);
    std::optional<Job> job(const QString &id) const;
    QList<Job> jobs() const;
    int running() const;

signals:
    void finished(const QString &id);
    /** One step of a running job (for MCP progress notifications). */
    void step(const QString &id, const QJsonObject &step);

private:
    Job *find(const QString &id);
    void onStep(const QString &id, const QJsonObject &step);
    void onDone(const QString &id, const Result<QJsonValue> &result);

    OrchestratorThread &m_thread;
    EventHub &m_events;
    std::deque<Job> m_jobs;
    int m_keep;
};

} // namespace Portoser
