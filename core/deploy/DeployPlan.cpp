// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/DeployPlan.h"

#include <QJsonArray>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

QString toString(PlanAction action)
{
    switch (action) {
    case PlanAction::NoOp:
        return u"no-op"_s;
    case PlanAction::Fresh:
        return u"fresh"_s;
    case PlanAction::Restart:
        return u"restart"_s;
    case PlanAction::Update:
        return u"update"_s;
    case PlanAction::Move:
        return u"move"_s;
    }
    return {};
}

namespace {

const QList<std::pair<PlanIntent, QString>> IntentNames = {{PlanIntent::Deploy, u"deploy"_s},
                                                           {PlanIntent::Restart, u"restart"_s},
                                                           {PlanIntent::Start, u"start"_s}};

} // namespace

QString toString(PlanIntent intent)
{
    for (const auto &[value, name] : IntentNames) {
        if (value == intent)
            return name;
    }
    return {};
}

bool DeployPlan::hasChanges() const
{
    return std::any_of(services.begin(), services.end(),
                       [](const PlannedService &p) { return p.action != PlanAction::NoOp; });
}

QJsonObject DeployPlan::toJson() const
{
    QJsonArray items;
    for (const PlannedService &p : services) {
        items.append(QJsonObject{{u"service"_s, p.service},
                                 {u"host"_s, p.host},
                                 {u"from_host"_s, p.fromHost},
                                 {u"action"_s, toString(p.action)},
                                 {u"why"_s, p.why},
                                 {u"wave"_s, p.wave + 1},
                                 {u"release"_s, p.release.id},
                                 {u"source_dir"_s, p.release.sourceDir},
                                 {u"files"_s, p.release.files},
                                 {u"bytes"_s, p.release.bytes},
                                 {u"live_release"_s, p.liveRelease},
                                 {u"live_state"_s, p.liveState},
                                 {u"release_must_be_on_host"_s, p.releaseMustBeOnHost},
                                 {u"rerun"_s, p.rerun},
                                 {u"requested"_s, p.requested},
                                 {u"config"_s, p.config},
                                 {u"config_diff"_s, QJsonArray::fromStringList(p.configDiff)}});
    }
    return {{u"format"_s, u"portoser-plan/1"_s},
            {u"intent"_s, toString(request.intent)},
            {u"requested"_s, QJsonArray::fromStringList(request.services)},
            {u"force"_s, request.force},
            {u"with_dependencies"_s, request.withDependencies},
            {u"fingerprint"_s, fingerprint},
            {u"created_at"_s, createdAt.toString(Qt::ISODateWithMs)},
            {u"services"_s, items},
            {u"notes"_s, QJsonArray::fromStringList(notes)}};
}

Result<DeployPlan> DeployPlan::fromJson(const QJsonObject &json)
{
    if (json.value(u"format"_s).toString() != u"portoser-plan/1"_s)
        return Error{ErrorCode::ParseError,
                     u"not a Portoser plan (format portoser-plan/1 expected)"_s};
    DeployPlan plan;
    const QString intent = json.value(u"intent"_s).toString(u"deploy"_s);
    const auto known = std::find_if(IntentNames.cbegin(), IntentNames.cend(),
                                    [&](const auto &entry) { return entry.second == intent; });
    if (known == IntentNames.cend())
        return Error{ErrorCode::ParseError, u"plan has an unknown intent \"%1\""_s.arg(intent)};
    plan.request.intent = known->first;
    for (const QJsonValue &name : json.value(u"requested"_s).toArray())
        plan.request.services.append(name.toString());
    plan.request.force = json.value(u"force"_s).toBool();
    plan.request.withDependencies = json.value(u"with_dependencies"_s).toBool();
    plan.fingerprint = json.value(u"fingerprint"_s).toString();
    plan.createdAt =
        QDateTime::fromString(json.value(u"created_at"_s).toString(), Qt::ISODateWithMs);
    static const QHash<QString, PlanAction> actions = {{u"no-op"_s, PlanAction::NoOp},
                                                       {u"fresh"_s, PlanAction::Fresh},
                                                       {u"restart"_s, PlanAction::Restart},
                                                       {u"update"_s, PlanAction::Update},
                                                       {u"move"_s, PlanAction::Move}};
    for (const QJsonValue &v : json.value(u"services"_s).toArray()) {
        const QJsonObject o = v.toObject();
        PlannedService p;
        p.service = o.value(u"service"_s).toString();
        p.host = o.value(u"host"_s).toString();
        p.fromHost = o.value(u"from_host"_s).toString();
        const QString action = o.value(u"action"_s).toString();
        if (!actions.contains(action) || p.service.isEmpty() || p.host.isEmpty())
            return Error{ErrorCode::ParseError,
                         u"plan entry %1 is incomplete or has an unknown action \"%2\""_s.arg(
                             p.service, action)};
        p.action = actions.value(action);
        p.why = o.value(u"why"_s).toString();
        p.wave = o.value(u"wave"_s).toInt(1) - 1;
        p.release.id = o.value(u"release"_s).toString();
        p.release.sourceDir = o.value(u"source_dir"_s).toString();
        p.release.files = o.value(u"files"_s).toInt();
        p.release.bytes = qint64(o.value(u"bytes"_s).toDouble());
        p.liveRelease = o.value(u"live_release"_s).toString();
        p.liveState = o.value(u"live_state"_s).toString();
        p.releaseMustBeOnHost = o.value(u"release_must_be_on_host"_s).toBool();
        p.rerun = o.value(u"rerun"_s).toBool();
        p.requested = o.value(u"requested"_s).toBool();
        p.config = o.value(u"config"_s).toObject();
        for (const QJsonValue &line : o.value(u"config_diff"_s).toArray())
            p.configDiff.append(line.toString());
        plan.services.append(p);
    }
    for (const QJsonValue &note : json.value(u"notes"_s).toArray())
        plan.notes.append(note.toString());
    return plan;
}

} // namespace Portoser
