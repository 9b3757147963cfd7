// SPDX-License-Identifier: Apache-2.0
#include "core/history/HistoryJson.h"

#include <QJsonArray>

namespace Portoser::HistoryJson {

using namespace Qt::Literals::StringLiterals;

QJsonObject summary(const DeploymentRecord &r)
{
    return {{u"id"_s, r.id},
            {u"service"_s, r.service},
            {u"host"_s, r.host},
            {u"from_host"_s, r.fromHost},
            {u"action"_s, toString(r.action)},
            {u"actor"_s, r.actor},
            {u"outcome"_s, toString(r.outcome)},
            {u"reason"_s, r.reason},
            {u"release"_s, r.releaseId},
            {u"previous_release"_s, r.previousReleaseId},
            {u"started_at"_s, r.startedAt.toString(Qt::ISODateWithMs)},
            {u"ended_at"_s, r.endedAt.toString(Qt::ISODateWithMs)},
            {u"duration_ms"_s, r.durationMs()}};
}

DeploymentRecord fromSummary(const QJsonObject &o)
{
    DeploymentRecord r;
    r.id = o.value(u"id"_s).toInteger();
    r.service = o.value(u"service"_s).toString();
    r.host = o.value(u"host"_s).toString();
    r.fromHost = o.value(u"from_host"_s).toString();
    r.action =
        recordActionFromString(o.value(u"action"_s).toString()).value_or(RecordAction::Deploy);
    r.actor = o.value(u"actor"_s).toString();
    r.outcome = outcomeFromString(o.value(u"outcome"_s).toString()).value_or(Outcome::Failed);
    r.reason = o.value(u"reason"_s).toString();
    r.releaseId = o.value(u"release"_s).toString();
    r.previousReleaseId = o.value(u"previous_release"_s).toString();
    r.startedAt = QDateTime::fromString(o.value(u"started_at"_s).toString(), Qt::ISODateWithMs);
    r.endedAt = QDateTime::fromString(o.value(u"ended_at"_s).toString(), Qt::ISODateWithMs);
    return r;
}

QJsonObject full(const DeploymentRecord &r)
{
    QJsonObject o = summary(r);
    QJsonArray steps;
    for (const StepRecord &s : r.steps)
        steps.append(QJsonObject{{u"name"_s, s.name},
                                 {u"duration_ms"_s, s.durationMs},
                                 {u"ok"_s, s.ok},
                                 {u"output"_s, s.output}});
    o.insert(u"steps"_s, steps);
    o.insert(u"config"_s, r.config);
    return o;
}

DeploymentRecord fromFull(const QJsonObject &json)
{
    DeploymentRecord r = fromSummary(json);
    for (const QJsonValue &v : json.value(u"steps"_s).toArray()) {
        const QJsonObject s = v.toObject();
        r.steps.append({s.value(u"name"_s).toString(), s.value(u"duration_ms"_s).toInteger(),
                        s.value(u"ok"_s).toBool(true), s.value(u"output"_s).toString()});
    }
    r.config = json.value(u"config"_s).toObject();
    return r;
}

} // namespace Portoser::HistoryJson
