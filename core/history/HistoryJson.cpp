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
            {u"action"_s, r.action},
            {u"actor"_s, r.actor},
            {u"outcome"_s, r.outcome},
            {u"reason"_s, r.reason},
            {u"release"_s, r.releaseId},
            {u"previous_release"_s, r.previousReleaseId},
            {u"started_at"_s, r.startedAt.toString(Qt::ISODateWithMs)},
            {u"ended_at"_s, r.endedAt.toString(Qt::ISODateWithMs)},
            {u"duration_ms"_s, r.durationMs()}};
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

} // namespace Portoser::HistoryJson
