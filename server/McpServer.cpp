// SPDX-License-Identifier: Apache-2.0
#include "server/McpServer.h"

#include "core/access/JsonSchema.h"
#include "core/registry/RegistryJson.h"
#include "core/runtime/Coordinator.h"
#include "core/runtime/Operations.h"
#include "server/McpPrompts.h"
#include "server/McpResources.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int MethodNotFound = -32601;
constexpr int InvalidParams = -32602;
constexpr int InvalidRequest = -32600;
constexpr int ResourceNotFound = -32002;
constexpr int MaxSubscriptions = 256;
constexpr int MaxCancelled = 256;

/** A request id as a set key (ids are strings or numbers: 1 and "1" differ). */
QString idKey(const QJsonValue &id)
{
    return id.isString() ? u's' + id.toString() : u'n' + QString::number(id.toDouble());
}

/** The services a job's arguments name (service, services, moves[].service, redeploys). */
QStringList servicesOf(const QJsonObject &arguments)
{
    QStringList out;
    if (const QString s = arguments.value(u"service"_s).toString(); !s.isEmpty())
        out << s;
    for (const QString &key : {u"services"_s, u"redeploys"_s}) {
        for (const QJsonValue &v : arguments.value(key).toArray())
            out << v.toString();
    }
    for (const QJsonValue &m : arguments.value(u"moves"_s).toArray())
        out << m.toObject().value(u"service"_s).toString();
    out.removeAll(QString());
    return out;
}

QJsonObject result(const QJsonValue &id, const QJsonObject &value)
{
    return {{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, id}, {u"result"_s, value}};
}

/** A tool's answer: the JSON as text for any client, and as structured content. */
QJsonObject toolResult(const QJsonValue &value, bool isError)
{
    const QJsonObject structured =
        value.isObject() ? value.toObject() : QJsonObject{{u"result"_s, value}};
    return {{u"content"_s,
             QJsonArray{QJsonObject{
                 {u"type"_s, u"text"_s},
                 {u"text"_s,
                  QString::fromUtf8(QJsonDocument(structured).toJson(QJsonDocument::Compact))}}}},
            {u"structuredContent"_s, structured},
            {u"isError"_s, isError}};
}

QJsonObject toolError(const QString &message)
{
    return {{u"content"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, message}}}},
            {u"isError"_s, true}};
}

} // namespace

McpServer::McpServer(Coordinator &coordinator, QObject *parent)
    : QObject(parent)
    , m_coordinator(coordinator)
{
    connect(&coordinator.events(), &EventHub::published, this, [this](const ApiEvent &event) {
        const QStringList uris =
            McpResource::changedBy(event, m_coordinator.registry(), [this](const QString &id) {
                const auto job = m_coordinator.jobs().job(id);
                return job ? servicesOf(job->arguments) : QStringList();
            });
        if (!uris.isEmpty())
            emit resourcesUpdated(uris);
    });
}

void McpServer::pushUpdates(McpSession &session, const QStringList &uris)
{
    if (!session.push)
        return;
    for (const QString &uri : uris) {
        if (session.subscriptions.contains(uri))
            session.push({{u"jsonrpc"_s, u"2.0"_s},
                          {u"method"_s, u"notifications/resources/updated"_s},
                          {u"params"_s, QJsonObject{{u"uri"_s, uri}}}});
    }
}

QStringList McpServer::supportedVersions()
{
    return {u"2025-11-25"_s, u"2025-06-18"_s, u"2025-03-26"_s};
}

QJsonObject McpServer::error(const QJsonValue &id, int code, const QString &message)
{
    return {{u"jsonrpc"_s, u"2.0"_s},
            {u"id"_s, id},
            {u"error"_s, QJsonObject{{u"code"_s, code}, {u"message"_s, message}}}};
}

void McpServer::handle(const QJsonObject &message, McpSession &session, const Principal &caller,
                       Send reply, Send notify)
{
    const QString method = message.value(u"method"_s).toString();
    const bool isRequest = message.contains(u"id"_s) && !method.isEmpty();
    const QJsonValue id = message.value(u"id"_s);
    const QJsonObject params = message.value(u"params"_s).toObject();
    if (!isRequest) {
        if (method == u"notifications/initialized")
            session.initialized = true;
        // The answer of a cancelled request is not sent (a job still runs to its end: half a
        // deploy is worse than a whole one; its progress stops).
        const QJsonValue cancelledId = params.value(u"requestId"_s);
        if (method == u"notifications/cancelled"
            && (cancelledId.isString() || cancelledId.isDouble())
            && session.cancelled->size() < MaxCancelled)
            session.cancelled->insert(idKey(cancelledId));
        return; // other notifications (progress) and responses need nothing from us
    }
    if (message.value(u"jsonrpc"_s).toString() != u"2.0")
        return reply(error(id, InvalidRequest, u"jsonrpc must be \"2.0\""_s));
    // JSON-RPC 2.0: an id is a string or a number (null only answers an unreadable request).
    if (!id.isString() && !id.isDouble())
        return reply(error(QJsonValue::Null, InvalidRequest, u"id must be a string or a number"_s));
    if (message.contains(u"params"_s) && !message.value(u"params"_s).isObject())
        return reply(error(id, InvalidParams, u"params must be an object"_s));
    // An answer (or progress) for a request the client cancelled meanwhile is dropped: the
    // transport gets an empty object and ends the exchange without a message.
    const auto cancelled = session.cancelled;
    const QString key = idKey(id);
    cancelled->remove(key); // an id used again is a new request
    const Send answer = [reply, cancelled, key](const QJsonObject &response) {
        reply(cancelled->remove(key) ? QJsonObject() : response);
    };
    const Send progress = [notify, cancelled, key](const QJsonObject &n) {
        if (!cancelled->contains(key))
            notify(n);
    };
    dispatch(method, id, params, session, caller, answer, progress);
}

void McpServer::dispatch(const QString &method, const QJsonValue &id, const QJsonObject &params,
                         McpSession &session, const Principal &caller, const Send &reply,
                         const Send &notify)
{
    if (method == u"initialize")
        return reply(result(id, initialize(params, session)));
    if (method == u"ping")
        return reply(result(id, {}));
    if (method == u"tools/list")
        return reply(result(id, toolList()));
    if (method == u"tools/call")
        return callTool(id, params, caller, reply, notify);
    if (method == u"logging/setLevel") {
        static const QStringList levels{u"debug"_s, u"info"_s,     u"notice"_s, u"warning"_s,
                                        u"error"_s, u"critical"_s, u"alert"_s,  u"emergency"_s};
        const QString level = params.value(u"level"_s).toString();
        if (!levels.contains(level))
            return reply(error(id, InvalidParams, u"unknown log level '%1'"_s.arg(level)));
        session.logLevel = level;
        return reply(result(id, {}));
    }
    const Registry &registry = m_coordinator.registry();
    if (method == u"resources/list")
        return reply(result(id, {{u"resources"_s, McpResource::list(registry)}}));
    if (method == u"resources/templates/list")
        return reply(result(id, {{u"resourceTemplates"_s, McpResource::templates()}}));
    if (method == u"resources/read")
        return readResource(id, params.value(u"uri"_s).toString(), caller, reply);
    if (method == u"resources/subscribe" || method == u"resources/unsubscribe") {
        const QString uri = params.value(u"uri"_s).toString();
        if (method == u"resources/unsubscribe") {
            session.subscriptions.remove(uri);
            return reply(result(id, {}));
        }
        const auto resource = McpResource::parse(uri, registry);
        if (!resource)
            return reply(error(id, ResourceNotFound, u"no resource %1"_s.arg(uri.left(200))));
        if (!resource->subscribable())
            return reply(error(id, InvalidParams,
                               u"%1 changes all the time: read it again instead"_s.arg(uri)));
        if (session.subscriptions.size() >= MaxSubscriptions)
            return reply(error(id, InvalidParams,
                               u"at most %1 subscriptions per session"_s.arg(MaxSubscriptions)));
        session.subscriptions.insert(uri);
        return reply(result(id, {}));
    }
    if (method == u"prompts/list")
        return reply(result(id, {{u"prompts"_s, McpPrompts::list()}}));
    if (method == u"prompts/get") {
        if (params.contains(u"arguments"_s) && !params.value(u"arguments"_s).isObject())
            return reply(error(id, InvalidParams, u"arguments must be an object"_s));
        auto prompt = McpPrompts::get(
            params.value(u"name"_s).toString(), params.value(u"arguments"_s).toObject(), registry,
            [this](const QString &service) { return m_coordinator.status().service(service); });
        if (!prompt)
            return reply(error(id, InvalidParams, prompt.error().message));
        return reply(result(id, *prompt));
    }
    if (method == u"completion/complete")
        return reply(result(id, complete(params)));
    reply(error(id, MethodNotFound, u"method not found: %1"_s.arg(method)));
}

void McpServer::readResource(const QJsonValue &id, const QString &uri, const Principal &caller,
                             const Send &reply)
{
    const auto resource = McpResource::parse(uri, m_coordinator.registry());
    if (!resource)
        return reply(error(id, ResourceNotFound, u"no resource %1"_s.arg(uri.left(200))));
    auto contents = [id, uri](const QJsonValue &value) {
        const QByteArray text = value.isObject()
                                    ? QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)
                                    : QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
        return result(
            id, {{u"contents"_s, QJsonArray{QJsonObject{{u"uri"_s, uri},
                                                        {u"mimeType"_s, u"application/json"_s},
                                                        {u"text"_s, QString::fromUtf8(text)}}}}});
    };
    QJsonObject arguments;
    const Operation *op = resource->operation(&arguments);
    if (!op) { // from memory, as GET /api/v1/registry and /hosts answer
        if (resource->kind == McpResource::Kind::Registry)
            return reply(contents(RegistryJson::toJson(m_coordinator.registry())));
        const QJsonObject hosts =
            QJsonDocument::fromJson(m_coordinator.status().hostsJson()).object();
        if (resource->kind == McpResource::Kind::Hosts)
            return reply(contents(hosts));
        for (const QJsonValue &h : hosts.value(u"hosts"_s).toArray()) {
            if (h.toObject().value(u"name"_s).toString() == resource->name)
                return reply(contents(h));
        }
        return reply(contents(QJsonObject{{u"name"_s, resource->name}}));
    }
    if (const auto no = m_coordinator.admitRead(caller.name, op->asksHosts))
        return reply(error(id, -32000, u"busy: "_s + no->message));
    if (!caller.may(op->role))
        return reply(error(id, InvalidParams,
                           u"forbidden: %1 has role %2; reading %3 needs %4"_s.arg(
                               caller.name, toString(caller.role), uri, toString(op->role))));
    m_coordinator.run(
        *op, arguments, caller, true, [id, reply, contents](const OperationOutcome &outcome) {
            if (!outcome.result)
                return reply(error(id, ResourceNotFound, outcome.result.error().message));
            reply(contents(*outcome.result));
        });
}

QJsonObject McpServer::complete(const QJsonObject &params) const
{
    const QJsonObject ref = params.value(u"ref"_s).toObject();
    const QJsonObject argument = params.value(u"argument"_s).toObject();
    const QString name = argument.value(u"name"_s).toString();
    QString kind; // what the argument names: service or host
    if (ref.value(u"type"_s).toString() == u"ref/prompt")
        kind = McpPrompts::completes(ref.value(u"name"_s).toString(), name);
    else if (ref.value(u"type"_s).toString() == u"ref/resource"
             && ref.value(u"uri"_s).toString().contains(u'{' + name + u'}'))
        kind = name;
    QString typed = argument.value(u"value"_s).toString();
    QString before; // services: complete the last of a comma-separated list
    if (name == u"services" && typed.contains(u',')) {
        before = typed.left(typed.lastIndexOf(u',') + 1);
        typed = typed.mid(before.size()).trimmed();
    }
    QStringList values = McpResource::complete(m_coordinator.registry(), kind, typed);
    for (QString &v : values)
        v.prepend(before);
    return {{u"completion"_s, QJsonObject{{u"values"_s, QJsonArray::fromStringList(values)},
                                          {u"total"_s, values.size()},
                                          {u"hasMore"_s, false}}}};
}

QJsonObject McpServer::initialize(const QJsonObject &params, McpSession &session) const
{
    const QString asked = params.value(u"protocolVersion"_s).toString();
    session.protocolVersion =
        supportedVersions().contains(asked) ? asked : supportedVersions().first();
    session.clientInfo = params.value(u"clientInfo"_s).toObject();
    return {{u"protocolVersion"_s, session.protocolVersion},
            {u"capabilities"_s,
             QJsonObject{
                 {u"tools"_s, QJsonObject{{u"listChanged"_s, false}}},
                 {u"resources"_s, QJsonObject{{u"subscribe"_s, true}, {u"listChanged"_s, false}}},
                 {u"prompts"_s, QJsonObject{{u"listChanged"_s, false}}},
                 {u"completions"_s, QJsonObject()},
                 {u"logging"_s, QJsonObject()}}},
            {u"serverInfo"_s, QJsonObject{{u"name"_s, u"portoser"_s},
                                          {u"title"_s, u"Portoser cluster control"_s},
                                          {u"version"_s, QStringLiteral(PORTOSER_VERSION)}}},
            {u"instructions"_s,
             u"Operates a small cluster described by a registry: list and observe services, "
             "diagnose problems, plan and run deploys, moves, restarts and rollbacks. Plan before "
             "you deploy; tools that change hosts say so in their annotations."_s}};
}

QJsonObject McpServer::toolList() const
{
    QJsonArray tools;
    for (const Operation &op : Operations::all()) {
        tools.append(QJsonObject{
            {u"name"_s, op.name},
            {u"title"_s, op.title},
            {u"description"_s, QString(op.description + u" (role: "_s + toString(op.role) + u')')},
            {u"inputSchema"_s, op.inputSchema},
            {u"annotations"_s, QJsonObject{{u"title"_s, op.title},
                                           {u"readOnlyHint"_s, !op.job},
                                           {u"destructiveHint"_s, op.destructive},
                                           {u"idempotentHint"_s, !op.job},
                                           {u"openWorldHint"_s, false}}}});
    }
    for (const OperatorTool &t : m_tools ? m_tools() : QList<OperatorTool>()) {
        if (Operations::find(t.name)) // stored before the catalog took the name: the catalog's
            continue;
        tools.append(QJsonObject{
            {u"name"_s, t.name},
            {u"title"_s, t.name},
            {u"description"_s, QString(t.description + u" (operator tool, runs on "_s + t.host
                                       + u"; role: "_s + toString(t.role) + u')')},
            {u"inputSchema"_s, t.inputSchema},
            {u"annotations"_s, QJsonObject{{u"readOnlyHint"_s, false},
                                           {u"destructiveHint"_s, true},
                                           {u"idempotentHint"_s, false},
                                           {u"openWorldHint"_s, false}}}});
    }
    return {{u"tools"_s, tools}};
}

void McpServer::callTool(const QJsonValue &id, const QJsonObject &params, const Principal &caller,
                         const Send &reply, const Send &notify)
{
    const QString name = params.value(u"name"_s).toString();
    if (params.contains(u"arguments"_s) && !params.value(u"arguments"_s).isObject())
        return reply(error(id, InvalidParams, u"arguments must be an object"_s));
    const QJsonObject arguments = params.value(u"arguments"_s).toObject();
    const Operation *op = Operations::find(name);
    if (!op) {
        for (const OperatorTool &t : m_tools ? m_tools() : QList<OperatorTool>()) {
            if (t.name == name)
                return callOperatorTool(id, t, arguments, caller, reply);
        }
        return reply(error(id, InvalidParams, u"unknown tool: %1"_s.arg(name)));
    }
    QElapsedTimer clock;
    clock.start();
    auto audit = [this, caller, name, arguments, clock](bool ok, const QString &outcome) {
        if (m_audit)
            m_audit(auditEntry(caller, u"mcp tools/call "_s + name, arguments, ok ? 200 : 500,
                               outcome, clock.elapsed()));
    };
    if (!caller.may(op->role)) {
        const QString why = u"forbidden: %1 has role %2; the %3 tool needs %4"_s.arg(
            caller.name, toString(caller.role), name, toString(op->role));
        audit(false, u"denied: "_s + why);
        return reply(result(id, toolError(why)));
    }
    if (!op->job) {
        if (const auto no = m_coordinator.admitRead(caller.name, op->asksHosts))
            return reply(result(id, toolError(u"busy: "_s + no->message)));
    }
    const QJsonValue progressToken = params.value(u"_meta"_s).toObject().value(u"progressToken"_s);
    auto steps = std::make_shared<int>(0);
    std::function<void(const QJsonObject &)> progress;
    if (!progressToken.isUndefined() && !progressToken.isNull()) {
        progress = [notify, progressToken, steps](const QJsonObject &step) {
            QString text = step.value(u"service"_s).toString() + u'@'
                           + step.value(u"host"_s).toString() + u": "_s
                           + step.value(u"step"_s).toString();
            if (const QString d = step.value(u"detail"_s).toString(); !d.isEmpty())
                text += u" ("_s + d.left(200) + u')';
            notify({{u"jsonrpc"_s, u"2.0"_s},
                    {u"method"_s, u"notifications/progress"_s},
                    {u"params"_s, QJsonObject{{u"progressToken"_s, progressToken},
                                              {u"progress"_s, ++*steps},
                                              {u"message"_s, text}}}});
        };
    }
    m_coordinator.run(
        *op, arguments, caller, true,
        [id, reply, audit](const OperationOutcome &outcome) {
            if (!outcome.result) {
                const QString message = outcome.result.error().message;
                audit(false, u"failed: "_s + message);
                return reply(result(id, toolError(message)));
            }
            const bool failed = !Operations::allRecordsSucceeded(*outcome.result);
            audit(!failed, failed ? u"failed: a service did not end up running"_s : u"ok"_s);
            reply(result(id, toolResult(*outcome.result, failed)));
        },
        progress);
}

void McpServer::callOperatorTool(const QJsonValue &id, const OperatorTool &tool,
                                 const QJsonObject &arguments, const Principal &caller,
                                 const Send &reply)
{
    QElapsedTimer clock;
    clock.start();
    auto audit = [this, caller, tool, arguments, clock](bool ok, const QString &outcome) {
        if (m_audit)
            m_audit(auditEntry(caller, u"mcp tools/call "_s + tool.name, arguments, ok ? 200 : 500,
                               outcome, clock.elapsed()));
    };
    if (!caller.may(tool.role)) {
        const QString why = u"forbidden: %1 has role %2; the %3 tool needs %4"_s.arg(
            caller.name, toString(caller.role), tool.name, toString(tool.role));
        audit(false, u"denied: "_s + why);
        return reply(result(id, toolError(why)));
    }
    if (const auto wrong = JsonSchema::validate(tool.inputSchema, arguments)) {
        audit(false, u"failed: "_s + *wrong);
        return reply(result(id, toolError(*wrong)));
    }
    if (const auto no = m_coordinator.admitRead(caller.name, true))
        return reply(result(id, toolError(u"busy: "_s + no->message)));
    const Registry registry = m_coordinator.registry();
    m_coordinator.read(
        [registry, tool, arguments](Orchestrator &o) -> Result<QJsonValue> {
            auto ran = o.runOperatorTool(registry, tool, arguments);
            if (!ran)
                return ran.error();
            return QJsonValue(*ran);
        },
        [id, reply, audit](const Result<QJsonValue> &ran) {
            if (!ran) {
                audit(false, u"failed: "_s + ran.error().message);
                return reply(result(id, toolError(ran.error().message)));
            }
            const int exitCode = ran->toObject().value(u"exit_code"_s).toInt();
            audit(exitCode == 0,
                  exitCode == 0 ? u"ok"_s : u"failed: exit status %1"_s.arg(exitCode));
            reply(result(id, toolResult(*ran, exitCode != 0)));
        },
        true, caller.name); // it runs on a host
}

} // namespace Portoser
