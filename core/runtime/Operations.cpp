// SPDX-License-Identifier: Apache-2.0
#include "core/runtime/Operations.h"

#include "core/Orchestrator.h"
#include "core/deploy/ConfigDiff.h"
#include "core/deploy/StateJson.h"
#include "core/heal/HealJson.h"
#include "core/history/HistoryJson.h"

#include <QJsonArray>

#include <algorithm>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

// --- schemas -------------------------------------------------------------------------------

QJsonObject object(const QJsonObject &properties, const QStringList &required = {})
{
    QJsonObject o{{u"type"_s, u"object"_s},
                  {u"properties"_s, properties},
                  {u"additionalProperties"_s, false}};
    if (!required.isEmpty())
        o.insert(u"required"_s, QJsonArray::fromStringList(required));
    return o;
}

QJsonObject text(const QString &description)
{
    return {{u"type"_s, u"string"_s}, {u"description"_s, description}, {u"minLength"_s, 1}};
}

QJsonObject names(const QString &description)
{
    return {{u"type"_s, u"array"_s},
            {u"items"_s, QJsonObject{{u"type"_s, u"string"_s}, {u"minLength"_s, 1}}},
            {u"description"_s, description}};
}

QJsonObject integer(const QString &description, int minimum, int maximum)
{
    return {{u"type"_s, u"integer"_s},
            {u"description"_s, description},
            {u"minimum"_s, minimum},
            {u"maximum"_s, maximum}};
}

QJsonObject flag(const QString &description)
{
    return {{u"type"_s, u"boolean"_s}, {u"description"_s, description}};
}

// --- argument access -----------------------------------------------------------------------

QStringList stringList(const QJsonObject &args, const QString &key)
{
    QStringList out;
    for (const QJsonValue &v : args.value(key).toArray())
        out.append(v.toString());
    return out;
}

/** Unknown names are a 404 that names them, before anything reaches a host. */
Result<void> knownServices(const Registry &registry, const QStringList &services)
{
    QStringList unknown;
    for (const QString &s : services) {
        if (!registry.service(s))
            unknown.append(s);
    }
    if (!unknown.isEmpty())
        return Error{ErrorCode::NotFound, registry.unknownService(unknown.join(u", "_s))};
    return {};
}

QJsonValue records(const Result<QList<DeploymentRecord>> &result)
{
    QJsonArray items;
    for (const DeploymentRecord &r : *result)
        items.append(HistoryJson::summary(r));
    return QJsonObject{{u"records"_s, items}};
}

DeployOptions options(const OperationCall &call)
{
    DeployOptions o;
    o.actor = call.actor;
    o.force = call.arguments.value(u"force"_s).toBool();
    return o;
}

QJsonObject serviceJson(const Service &s, const QMap<QString, ServiceState> &known)
{
    const auto state = known.constFind(s.name);
    return serviceWithState(s, state == known.cend() ? nullptr : &*state);
}

// --- the operations ------------------------------------------------------------------------

Result<QJsonValue> listServices(OperationCall &call)
{
    const QString host = call.arguments.value(u"host"_s).toString();
    QJsonArray items;
    for (const Service &s : call.registry.services) {
        if (host.isEmpty() || s.currentHost == host)
            items.append(serviceJson(s, call.known));
    }
    return QJsonValue(QJsonObject{{u"services"_s, items}});
}

Result<QJsonValue> serviceStatus(OperationCall &call)
{
    const QString name = call.arguments.value(u"service"_s).toString();
    if (auto known = knownServices(call.registry, {name}); !known)
        return known.error();
    QMap<QString, ServiceState> states = call.known;
    if (call.arguments.value(u"fresh"_s).toBool() || !states.contains(name))
        states.insert(call.orchestrator.status(call.registry, {name}));
    return QJsonValue(serviceJson(*call.registry.service(name), states));
}

Result<QJsonValue> observe(OperationCall &call)
{
    const QStringList services = stringList(call.arguments, u"services"_s);
    const QStringList hosts = stringList(call.arguments, u"hosts"_s);
    if (auto known = knownServices(call.registry, services); !known)
        return known.error();
    for (const QString &h : hosts) {
        if (!call.registry.host(h))
            return Error{ErrorCode::NotFound, u"no host called %1 in the registry"_s.arg(h)};
    }
    QJsonArray items;
    for (const HostState &h : call.orchestrator.observe(call.registry, services, hosts))
        items.append(toJson(h));
    return QJsonValue(QJsonObject{{u"hosts"_s, items}});
}

Result<QJsonValue> diagnose(OperationCall &call)
{
    QStringList services = stringList(call.arguments, u"services"_s);
    if (auto known = knownServices(call.registry, services); !known)
        return known.error();
    auto result = call.orchestrator.diagnose(call.registry, services);
    if (!result)
        return result.error();
    if (services.isEmpty())
        services = call.registry.services.keys();
    QJsonArray items;
    int problems = 0;
    for (const QString &name : services) {
        const ServiceDiagnosis d = result->diagnosis.services.value(name);
        problems += !d.healthy();
        items.append(
            HealJson::diagnosis(d, result->playbooks.value(name), result->healState.value(name)));
    }
    QJsonArray hosts;
    for (const HostDiagnosis &h : result->diagnosis.hosts)
        hosts.append(toJson(h));
    return QJsonValue(
        QJsonObject{{u"services"_s, items}, {u"hosts"_s, hosts}, {u"problems"_s, problems}});
}

/** The plan a call asks for: the saved one it carries, or a fresh one for its services. */
Result<DeployPlan> requestedPlan(OperationCall &call)
{
    if (call.arguments.contains(u"plan"_s))
        return DeployPlan::fromJson(call.arguments.value(u"plan"_s).toObject());
    const QStringList services = stringList(call.arguments, u"services"_s);
    if (auto known = knownServices(call.registry, services); !known)
        return known.error();
    return call.orchestrator.planDeploy(call.registry, services,
                                        call.arguments.value(u"force"_s).toBool());
}

Result<QJsonValue> planDeploy(OperationCall &call)
{
    auto plan = requestedPlan(call);
    if (!plan)
        return plan.error();
    return QJsonValue(plan->toJson());
}

/** A saved plan applied as it was reviewed, else the services deployed now (one look). */
Result<QList<DeploymentRecord>> deployRequested(OperationCall &call)
{
    if (call.arguments.contains(u"plan"_s)) {
        auto plan = requestedPlan(call);
        if (!plan)
            return plan.error();
        return call.orchestrator.deploy(call.registry, *plan, options(call), call.progress);
    }
    const QStringList services = stringList(call.arguments, u"services"_s);
    if (auto known = knownServices(call.registry, services); !known)
        return known.error();
    return call.orchestrator.deploy(call.registry, services, options(call), call.progress);
}

Result<QJsonValue> deploy(OperationCall &call)
{
    auto result = deployRequested(call);
    if (!result)
        return result.error();
    return records(result);
}

Result<QJsonValue> moveService(OperationCall &call)
{
    const QString service = call.arguments.value(u"service"_s).toString();
    const QString host = call.arguments.value(u"host"_s).toString();
    if (auto known = knownServices(call.registry, {service}); !known)
        return known.error();
    // The move checks itself (once, with the hosts' known arches): a refusal ends the job with
    // the error code "conflict".
    auto result =
        call.orchestrator.move(call.registry, service, host, options(call), call.progress);
    if (!result)
        return result.error();
    return records(result);
}

/** The services an operation names: `service`, or the list `services`; at least one. */
Result<QStringList> namedServices(const OperationCall &call)
{
    QStringList services;
    if (call.arguments.contains(u"service"_s))
        services.append(call.arguments.value(u"service"_s).toString());
    for (const QJsonValue &v : call.arguments.value(u"services"_s).toArray())
        services.append(v.toString());
    if (services.isEmpty())
        return Error{ErrorCode::InvalidInput, u"name a service (\"service\" or \"services\")"_s};
    if (auto known = knownServices(call.registry, services); !known)
        return known.error();
    return services;
}

Result<QJsonValue> restartService(OperationCall &call)
{
    const auto services = namedServices(call);
    if (!services)
        return services.error();
    PlanRequest request{call.arguments.value(u"start"_s).toBool() ? PlanIntent::Start
                                                                  : PlanIntent::Restart,
                        *services};
    request.withDependencies = call.arguments.value(u"with_dependencies"_s).toBool();
    auto result = call.orchestrator.restart(call.registry, request, options(call), call.progress);
    if (!result)
        return result.error();
    return records(result);
}

Result<QJsonValue> stopService(OperationCall &call)
{
    const auto services = namedServices(call);
    if (!services)
        return services.error();
    QList<DeploymentRecord> stopped;
    for (const QString &service : *services) {
        auto result = call.orchestrator.stop(call.registry, service, call.actor);
        if (!result)
            return result.error();
        stopped.append(*result);
    }
    return records(stopped);
}

/** Staged changes as the window sends them: {"moves": [{"service", "host"}], "redeploys": []}. */
Result<ChangeSet> requestedChanges(const OperationCall &call)
{
    ChangeSet changes;
    QStringList named;
    for (const QJsonValue &v : call.arguments.value(u"moves"_s).toArray()) {
        const QString service = v.toObject().value(u"service"_s).toString();
        const QString host = v.toObject().value(u"host"_s).toString();
        if (!call.registry.host(host))
            return Error{ErrorCode::NotFound, u"no host called %1 in the registry"_s.arg(host)};
        changes.moves.insert(service, host);
        named.append(service);
    }
    changes.redeploys = stringList(call.arguments, u"redeploys"_s);
    named += changes.redeploys;
    if (named.isEmpty())
        return Error{ErrorCode::InvalidInput, u"name a change (\"moves\" or \"redeploys\")"_s};
    if (auto known = knownServices(call.registry, named); !known)
        return known.error();
    return changes;
}

Result<QJsonValue> planChanges(OperationCall &call)
{
    const auto changes = requestedChanges(call);
    if (!changes)
        return changes.error();
    auto planned = call.orchestrator.planChanges(call.registry, *changes);
    if (!planned)
        return planned.error();
    DeployPlan plan;
    plan.services = *planned;
    return QJsonValue(plan.toJson());
}

Result<QJsonValue> applyChanges(OperationCall &call)
{
    const auto changes = requestedChanges(call);
    if (!changes)
        return changes.error();
    const ChangeResults done =
        call.orchestrator.deployChanges(call.registry, *changes, options(call), call.progress);
    QJsonObject result = records(done.records).toObject();
    result.insert(u"refused"_s, QJsonArray::fromStringList(done.refused));
    return QJsonValue(result);
}

Result<QJsonValue> history(OperationCall &call)
{
    HistoryQuery query;
    query.service = call.arguments.value(u"service"_s).toString();
    query.limit = call.arguments.value(u"limit"_s).toInt(50);
    query.offset = call.arguments.value(u"offset"_s).toInt(0);
    auto list = call.orchestrator.history(query);
    if (!list)
        return list.error();
    const bool full = call.arguments.value(u"full"_s).toBool();
    QJsonArray items;
    for (const DeploymentRecord &r : *list)
        items.append(full ? HistoryJson::full(r) : HistoryJson::summary(r));
    return QJsonValue(
        QJsonObject{{u"records"_s, items}, {u"limit"_s, query.limit}, {u"offset"_s, query.offset}});
}

Result<QJsonValue> historyRecord(OperationCall &call)
{
    auto record = call.orchestrator.historyRecord(call.arguments.value(u"id"_s).toInteger());
    if (!record)
        return record.error();
    return QJsonValue(HistoryJson::full(*record));
}

Result<QJsonValue> historyDiff(OperationCall &call)
{
    const qint64 a = call.arguments.value(u"from"_s).toInteger();
    const qint64 b = call.arguments.value(u"to"_s).toInteger();
    auto first = call.orchestrator.historyRecord(a);
    if (!first)
        return first.error();
    auto second = call.orchestrator.historyRecord(b);
    if (!second)
        return second.error();
    return QJsonValue(QJsonObject{{u"from"_s, a},
                                  {u"to"_s, b},
                                  {u"diff"_s, QJsonArray::fromStringList(ConfigDiff::between(
                                                  first->config, second->config))}});
}

Result<QJsonValue> rollback(OperationCall &call)
{
    auto result = call.orchestrator.rollback(
        call.registry, call.arguments.value(u"id"_s).toInteger(), options(call), call.progress);
    if (!result)
        return result.error();
    return records(QList<DeploymentRecord>{*result});
}

Result<QJsonValue> logs(OperationCall &call)
{
    const QString service = call.arguments.value(u"service"_s).toString();
    if (auto known = knownServices(call.registry, {service}); !known)
        return known.error();
    auto text =
        call.orchestrator.logs(call.registry, service, call.arguments.value(u"lines"_s).toInt(100));
    if (!text)
        return text.error();
    return QJsonValue(QJsonObject{{u"service"_s, service}, {u"log"_s, QString::fromUtf8(*text)}});
}

Result<QJsonValue> healStatus(OperationCall &call)
{
    const QString service = call.arguments.value(u"service"_s).toString();
    auto events = call.orchestrator.healEvents(service, call.arguments.value(u"limit"_s).toInt(20));
    if (!events)
        return events.error();
    QJsonArray items;
    for (const HealEvent &e : *events)
        items.append(toJson(e));
    auto knowledge = call.orchestrator.knowledge();
    if (!knowledge)
        return knowledge.error();
    QJsonArray rows;
    for (const KnowledgeRow &r : *knowledge)
        rows.append(HealJson::knowledge(r));
    return QJsonValue(QJsonObject{{u"events"_s, items}, {u"knowledge"_s, rows}});
}

Result<QJsonValue> metrics(OperationCall &call)
{
    const QString since = call.arguments.value(u"since"_s).toString(u"1h"_s);
    const auto seconds = parseSinceSeconds(since);
    if (!seconds)
        return Error{ErrorCode::InvalidInput,
                     u"since: \"%1\" is not a duration such as 90s, 15m, 1h, 7d"_s.arg(since)};
    auto report = call.orchestrator.metricsReport(
        call.registry, call.arguments.value(u"name"_s).toString(), *seconds);
    if (!report)
        return report.error();
    return QJsonValue(toJson(*report));
}

Result<QJsonValue> listSecrets(OperationCall &call)
{
    auto listed =
        call.orchestrator.secretList(call.registry, call.arguments.value(u"backend"_s).toString(),
                                     call.arguments.value(u"prefix"_s).toString());
    if (!listed)
        return listed.error();
    return QJsonValue(listed->toJson());
}

Result<QJsonValue> listTokens(OperationCall &call)
{
    auto tokens = call.orchestrator.tokens();
    if (!tokens)
        return tokens.error();
    QJsonArray items;
    for (const ApiToken &t : *tokens)
        items.append(t.toJson());
    return QJsonValue(QJsonObject{{u"tokens"_s, items}});
}

Result<QJsonValue> listOperatorTools(OperationCall &call)
{
    auto tools = call.orchestrator.operatorTools();
    if (!tools)
        return tools.error();
    QJsonArray items;
    for (const OperatorTool &t : *tools)
        items.append(t.toJson());
    return QJsonValue(QJsonObject{{u"tools"_s, items}});
}

QList<Operation> catalog()
{
    const QJsonObject service = text(u"Service name as in the registry"_s);
    const QJsonObject services = names(u"Service names (empty or missing: all)"_s);
    const QJsonObject force = flag(u"Redeploy even when nothing changed"_s);
    const QJsonObject changesSchema =
        object({{u"moves"_s,
                 QJsonObject{{u"type"_s, u"array"_s},
                             {u"description"_s, u"Services to move, each to its new host"_s},
                             {u"items"_s, object({{u"service"_s, service},
                                                  {u"host"_s, text(u"The host to move it to"_s)}},
                                                 {u"service"_s, u"host"_s})}}},
                {u"redeploys"_s, names(u"Services to deploy again where they are"_s)}});
    return {
        {u"list_services"_s, u"List services"_s,
         u"Every service of the registry with its host, type, port, dependencies and the state "
         "last observed (from memory; no host is contacted)."_s,
         Role::Viewer, false, false,
         object({{u"host"_s, text(u"Only the services of this host"_s)}}), listServices},
        {u"service_status"_s, u"Service status"_s,
         u"One service's settings and state. With fresh=true its host is asked now."_s,
         Role::Viewer, false, false,
         object({{u"service"_s, service}, {u"fresh"_s, flag(u"Ask the host now"_s)}},
                {u"service"_s}),
         serviceStatus, true},
        {u"observe"_s, u"Observe hosts"_s,
         u"One round trip per host: disk, inodes, memory, load, listeners, and each service's "
         "state, exits and health."_s,
         Role::Viewer, false, false,
         object({{u"services"_s, services}, {u"hosts"_s, names(u"Host names"_s)}}), observe, true},
        {u"diagnose"_s, u"Diagnose"_s,
         u"Problems (fingerprints) with confidence and evidence, health scores and the playbook "
         "the healer would run. Runs nothing."_s,
         Role::Viewer, false, false, object({{u"services"_s, services}}), diagnose, true},
        {u"plan_deploy"_s, u"Plan a deploy"_s,
         u"What deploying the services would do (no-op, fresh, restart, update, move) with the "
         "config diff. Touches no host beyond reading."_s,
         Role::Viewer, false, false, object({{u"services"_s, services}, {u"force"_s, force}}),
         planDeploy, true},
        {u"deploy"_s, u"Deploy"_s,
         u"Deploys services in dependency waves, health-gated, reverting a failed release. With "
         "`plan` (a plan_deploy result) applies exactly that plan, refused if anything changed."_s,
         Role::Operator, true, true,
         object({{u"services"_s, services},
                 {u"force"_s, force},
                 {u"plan"_s, QJsonObject{{u"type"_s, u"object"_s},
                                         {u"description"_s, u"A plan_deploy result"_s}}}}),
         deploy},
        {u"move_service"_s, u"Move a service"_s,
         u"Deploys the service on another host, gates it, stops the old instance and records the "
         "new host in the registry."_s,
         Role::Operator, true, true,
         object({{u"service"_s, service}, {u"host"_s, text(u"Target host"_s)}},
                {u"service"_s, u"host"_s}),
         moveService},
        {u"plan_changes"_s, u"Plan staged changes"_s,
         u"What moving services to other hosts and redeploying others in place would do, with "
         "the config diffs (the window's staged changes). Touches no host beyond reading."_s,
         Role::Viewer, false, false, changesSchema, planChanges, true},
        {u"apply_changes"_s, u"Apply staged changes"_s,
         u"Moves services to other hosts and redeploys others in place, in dependency order, "
         "health-gated; each move records the new host in the registry."_s,
         Role::Operator, true, true, changesSchema, applyChanges},
        {u"restart_service"_s, u"Restart a service"_s,
         u"Restarts exactly this service on the release and config it is deployed with (never "
         "the registry's newer word). Dependencies that are not running are left alone unless "
         "with_dependencies is true, and then started on the release they are on."_s,
         Role::Operator, true, true,
         object(
             {{u"service"_s, service},
              {u"services"_s, names(u"Several services, in one plan"_s)},
              {u"start"_s, flag(u"Only start those that are not running"_s)},
              {u"with_dependencies"_s, flag(u"Also start dependencies that are not running"_s)}}),
         restartService},
        {u"stop_service"_s, u"Stop a service"_s,
         u"Stops a service (its whole process group); the healer leaves it stopped."_s,
         Role::Operator, true, true,
         object({{u"service"_s, service}, {u"services"_s, names(u"Several services"_s)}}),
         stopService},
        {u"history"_s, u"Deployment history"_s,
         u"Deployment records, newest first, with outcome, actor and release."_s, Role::Viewer,
         false, false,
         object({{u"service"_s, service},
                 {u"limit"_s, integer(u"Records per page"_s, 1, 500)},
                 {u"offset"_s, integer(u"Records to skip"_s, 0, 1000000)},
                 {u"full"_s, flag(u"With each record's steps and config"_s)}}),
         history},
        {u"history_record"_s, u"Deployment record"_s,
         u"One deployment record with its steps and config."_s, Role::Viewer, false, false,
         object({{u"id"_s, integer(u"Record id"_s, 1, 2147483647)}}, {u"id"_s}), historyRecord},
        {u"history_diff"_s, u"Config diff"_s,
         u"The configuration difference between two deployment records."_s, Role::Viewer, false,
         false,
         object({{u"from"_s, integer(u"Older record id"_s, 1, 2147483647)},
                 {u"to"_s, integer(u"Newer record id"_s, 1, 2147483647)}},
                {u"from"_s, u"to"_s}),
         historyDiff},
        {u"rollback"_s, u"Roll back"_s,
         u"Re-deploys the release and config of a history record (the release must still be on "
         "the host)."_s,
         Role::Operator, true, true,
         object({{u"id"_s, integer(u"History record id to return to"_s, 1, 2147483647)},
                 {u"force"_s, flag(u"Return to a record that did not succeed"_s)}},
                {u"id"_s}),
         rollback},
        {u"logs"_s, u"Service logs"_s, u"The last lines of a service's log, from its host."_s,
         Role::Viewer, false, false,
         object({{u"service"_s, service}, {u"lines"_s, integer(u"How many lines"_s, 1, 10000)}},
                {u"service"_s}),
         logs, true},
        {u"heal_status"_s, u"Self-healing status"_s,
         u"The watchdog's recent events and what the knowledge base learned."_s, Role::Viewer,
         false, false,
         object({{u"service"_s, service}, {u"limit"_s, integer(u"Events"_s, 1, 500)}}), healStatus},
        {u"metrics"_s, u"Metrics over time"_s,
         u"A host's or service's observations over time (host: reachable, ssh_ms, load1, "
         "mem_used_pct, swap_used_pct, disk_used_pct, inode_used_pct; service: up, starts), raw "
         "for 24 h then 5-minute aggregates [at, mean, min, max, count], and a service's uptime "
         "over 24 h/7 d/30 d and MTTR."_s,
         Role::Viewer, false, false,
         object({{u"name"_s, text(u"A host or service of the registry"_s)},
                 {u"since"_s, text(u"How far back: 90s, 15m, 1h (default), 7d, 30d"_s)}},
                {u"name"_s}),
         metrics},
        {u"list_secrets"_s, u"List secrets"_s,
         u"Secrets metadata: path, key, version, when it changed and the services that use it; "
         "never a value."_s,
         Role::Operator, false, false,
         object({{u"backend"_s, text(u"local or vault (missing: the configured default)"_s)},
                 {u"prefix"_s, text(u"Only the paths under this prefix"_s)}}),
         listSecrets},
        {u"list_tokens"_s, u"List API tokens"_s,
         u"The coordinator's API tokens: name, role, when made and last used, whether revoked; "
         "never their secrets."_s,
         Role::Admin, false, false, object({}), listTokens},
        {u"list_operator_tools"_s, u"List operator tools"_s,
         u"The tools operators registered: name, description, host, command template, role."_s,
         Role::Viewer, false, false, object({}), listOperatorTools},
    };
}

} // namespace

namespace Operations {

const QList<Operation> &all()
{
    static const QList<Operation> operations = catalog();
    return operations;
}

bool allRecordsSucceeded(const QJsonValue &result)
{
    const QJsonArray records = result.toObject().value(u"records"_s).toArray();
    if (!result.toObject().value(u"refused"_s).toArray().isEmpty())
        return false;
    return std::all_of(records.begin(), records.end(), [](const QJsonValue &r) {
        return outcomeFromString(r.toObject().value(u"outcome"_s).toString()) == Outcome::Succeeded;
    });
}

Result<void> saveOperatorTool(Orchestrator &orchestrator, const Registry &registry,
                              const OperatorTool &tool)
{
    if (find(tool.name))
        return Error{ErrorCode::InvalidInput,
                     u"tool %1: name '%1' is a built-in tool"_s.arg(tool.name)};
    return orchestrator.saveOperatorTool(registry, tool);
}

const Operation *find(const QString &name)
{
    for (const Operation &o : all()) {
        if (o.name == name)
            return &o;
    }
    return nullptr;
}

} // namespace Operations

} // namespace Portoser
