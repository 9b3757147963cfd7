// SPDX-License-Identifier: Apache-2.0
#include "app/cli/CoordinatorJob.h"

#include "app/cli/CliContext.h"
#include "core/history/HistoryJson.h"
#include "core/runtime/JobQueue.h"

#include <QJsonArray>
#include <QThread>
#include <QUrl>

namespace Portoser::Cli::CoordinatorJob {

using namespace Qt::Literals::StringLiterals;

std::optional<ServerClient> here(const CliContext &context, const Registry &registry)
{
    if (context.forceLocal())
        return std::nullopt;
    if (auto local = ServerClient::local(context.registryPath()))
        return local;
    if (registry.coordinator.url.isEmpty())
        return std::nullopt;
    ServerClient named(registry.coordinator.url);
    // A registry file may come from anyone (a pull request): its word alone does not get the
    // operator's token; PORTOSER_SERVER naming the same coordinator says the operator trusts it.
    // (Never in the clear to another machine: ServerClient holds to that for every URL.)
    const auto trimmed = [](const QString &url) {
        return QUrl(url).toString(QUrl::StripTrailingSlash);
    };
    if (trimmed(qEnvironmentVariable("PORTOSER_SERVER")) != trimmed(registry.coordinator.url))
        named.withholdToken(u"PORTOSER_TOKEN goes only to the coordinator PORTOSER_SERVER names "
                            "(set PORTOSER_SERVER=%1 to trust the one this registry names)"_s.arg(
                                registry.coordinator.url));
    named.setHint(u"the registry names it as its coordinator (%1); --local works from this "
                  "machine instead"_s.arg(registry.coordinator.location.toString()));
    return named;
}

Result<QList<DeploymentRecord>> run(const ServerClient &server, const QString &path,
                                    const QJsonObject &body, const ProgressFn &progress)
{
    // Opened first, so that no step of the job comes before we listen.
    EventStream events(server, u"job"_s);
    auto accepted = server.request("POST", path, body);
    if (!accepted)
        return accepted.error();
    // The job's steps as they come: asked for whenever the event stream says a job moved (the
    // coordinator keeps them in memory), and every 2 s besides, in case an event was missed;
    // without a stream, every 200 ms.
    const QString jobPath = u"/api/v1/jobs/"_s + accepted->value(u"job"_s).toString();
    qsizetype shown = 0;
    for (;;) {
        auto job = server.request("GET", jobPath);
        if (!job)
            return job.error();
        const QJsonArray steps = job->value(u"steps"_s).toArray();
        for (; shown < steps.size(); ++shown) {
            const QJsonObject s = steps.at(shown).toObject();
            const QString step = s.value(u"step"_s).toString();
            const auto known = deployStepFromString(step);
            if (progress)
                progress({s.value(u"service"_s).toString(), s.value(u"host"_s).toString(),
                          known.value_or(DeployStep::Note),
                          known ? s.value(u"detail"_s).toString()
                                : (step + u": "_s + s.value(u"detail"_s).toString())});
        }
        const auto state = jobStateFromString(job->value(u"state"_s).toString());
        if (state == JobState::Succeeded || state == JobState::Failed) {
            if (!job->contains(u"result"_s) || job->value(u"result"_s).isNull())
                return Error{ErrorCode::Failed, job->value(u"error"_s)[u"message"_s].toString()};
            QList<DeploymentRecord> records;
            for (const QJsonValue &r : job->value(u"result"_s)[u"records"_s].toArray())
                records.append(HistoryJson::fromSummary(r.toObject()));
            return records;
        }
        if (events.isOpen())
            events.wait(2000);
        else
            QThread::msleep(200);
    }
}

} // namespace Portoser::Cli::CoordinatorJob
