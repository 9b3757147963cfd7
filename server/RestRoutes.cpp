// SPDX-License-Identifier: Apache-2.0
#include "server/RestRoutes.h"

#include "core/registry/RegistryCheck.h"
#include "core/registry/RegistryJson.h"
#include "core/runtime/Coordinator.h"
#include "core/runtime/HealLoop.h"
#include "core/runtime/Operations.h"
#include "server/ApiServer.h"
#include "server/OpenApi.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

#include <atomic>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

/** Runs operation `name` for the call: 200 with its result, or 202 with the job it started. */
void runOperation(ApiServer &server, const CallPtr &call, const QString &name,
                  const QJsonObject &arguments)
{
    const Operation *op = Operations::find(name);
    if (!call->principal.may(op->role))
        return call->fail(403, u"forbidden"_s, u"%1 needs role %2"_s.arg(name, toString(op->role)));
    // A job for a service that does not exist is a 404 now, not a 202 and a failed job later.
    const Registry &registry = server.coordinator().registry();
    QStringList named = arguments.value(u"services"_s).toVariant().toStringList();
    if (arguments.value(u"service"_s).isString())
        named.append(arguments.value(u"service"_s).toString());
    for (const QString &service : std::as_const(named)) {
        if (op->job && !registry.service(service))
            return call->fail(registry.unknownServiceError(service));
    }
    if (!op->job) {
        if (const auto no = server.coordinator().admitRead(call->principal.name, op->asksHosts))
            return call->failBusy(no->callersShare, no->message);
    }
    server.coordinator().run(
        *op, arguments, call->principal, false, [call, op](const OperationOutcome &outcome) {
            if (!outcome.result)
                return call->fail(outcome.result.error());
            if (!op->job)
                return call->reply(*outcome.result);
            HttpResponse r;
            r.status = 202;
            const QString location = u"/api/v1/jobs/"_s + outcome.jobId;
            r.body =
                QJsonDocument(QJsonObject{{u"job"_s, outcome.jobId}, {u"status_url"_s, location}})
                    .toJson(QJsonDocument::Compact);
            r.headers.emplaceBack("Location", location.toUtf8());
            call->finish(r);
        });
}

/** The body as operation arguments (a 400 when it is not a JSON object). */
std::optional<QJsonObject> bodyArguments(const CallPtr &call)
{
    auto body = call->jsonBody();
    if (!body) {
        call->fail(body.error());
        return std::nullopt;
    }
    return *body;
}

QJsonArray queryList(const ApiCall &call, const QString &key)
{
    QJsonArray out;
    for (const QString &v : call.request.query.allQueryItemValues(key, QUrl::FullyDecoded)) {
        for (const QString &part : v.split(u',', Qt::SkipEmptyParts))
            out.append(part);
    }
    return out;
}

/** Integer query parameters are passed on as numbers; a malformed one is a 400. */
bool queryInt(const CallPtr &call, const QString &key, QJsonObject &args)
{
    if (!call->request.query.hasQueryItem(key))
        return true;
    bool ok = false;
    const int value = call->query(key).toInt(&ok);
    if (!ok) {
        call->fail(400, u"invalid_input"_s, u"query parameter %1: expected an integer"_s.arg(key));
        return false;
    }
    args.insert(key, value);
    return true;
}

QString watchdogState(ApiServer &server)
{
    const HealLoop *w = server.watchdog();
    if (!w)
        return u"off"_s;
    if (w->isPaused())
        return u"stopped"_s;
    return w->isObserveOnly() ? u"paused"_s : u"running"_s;
}

/** GET /api/v1/events: server-sent events, resumable with Last-Event-ID. */
void streamEvents(ApiServer &server, const CallPtr &call)
{
    EventHub &hub = server.coordinator().events();
    QByteArray last = call->request.header("Last-Event-ID");
    if (last.isEmpty())
        last = call->query(u"last_event_id"_s).toLatin1();
    const QStringList types = call->query(u"types"_s).split(u',', Qt::SkipEmptyParts);
    auto wanted = [types](const ApiEvent &e) {
        return types.isEmpty() || types.contains(e.type)
               || types.contains(e.type.section(u'.', 0, 0));
    };
    auto exchange = call->exchange;
    exchange->beginStream(200,
                          {{"Content-Type", "text/event-stream"}, {"X-Accel-Buffering", "no"}});
    QByteArray backlog = "retry: 3000\n\n";
    for (const ApiEvent &e : hub.since(last.toLongLong())) {
        if (wanted(e))
            backlog += e.toSse();
    }
    exchange->write(backlog);
    // The stream holds the exchange until the client goes; a comment every 15 s finds out.
    auto *heartbeat = new QTimer(exchange.get());
    heartbeat->start(15000);
    QObject::connect(heartbeat, &QTimer::timeout, exchange.get(),
                     [e = exchange.get()] { e->write(": keep-alive\n\n"); });
    QObject::connect(&hub, &EventHub::published, exchange.get(),
                     [e = exchange.get(), wanted](const ApiEvent &event) {
                         if (wanted(event))
                             e->write(event.toSse());
                     });
    // The stream's own reference to the exchange, dropped when the client goes away.
    auto keep = std::make_shared<std::shared_ptr<HttpExchange>>(exchange);
    QObject::connect(
        exchange.get(), &HttpExchange::closed, &hub, [keep] { keep->reset(); },
        Qt::QueuedConnection);
}

} // namespace

void addRestRoutes(Router &router, ApiServer &server)
{
    ApiServer *s = &server;
    auto route = [&router](QByteArray method, QString pattern, Role role, bool audited,
                           QString summary, std::function<void(const CallPtr &)> handler,
                           QString operation = {}) {
        router.add(Route::make(std::move(method), std::move(pattern), role, audited,
                               std::move(summary), std::move(handler), std::move(operation)));
    };
    auto opRoute = [&route, s](QByteArray method, QString pattern, const QString &op,
                               QString summary,
                               std::function<std::optional<QJsonObject>(const CallPtr &)> args) {
        const Operation *o = Operations::find(op);
        route(
            std::move(method), std::move(pattern), o->role, o->job, std::move(summary),
            [s, op, args](const CallPtr &call) {
                if (auto a = args(call))
                    runOperation(*s, call, op, *a);
            },
            op);
    };

    // The coordinator itself.
    {
        Route r;
        r.method = "GET";
        r.pattern = u"/healthz"_s;
        r.open = true;
        r.summary = u"Liveness: the process answers"_s;
        r.handler = [](const CallPtr &call) { call->reply(QJsonObject{{u"status"_s, u"ok"_s}}); };
        router.add(r);
        // How to sign in, for a window before it has a credential: the issuer and the public
        // client its login uses (no secret: a native app's client has none, RFC 8252).
        r.pattern = u"/api/v1/auth"_s;
        r.summary = u"How to sign in: API tokens, and the OIDC issuer and client if any"_s;
        r.handler = [s](const CallPtr &call) {
            const OidcSettings &oidc = s->settings().oidc;
            QJsonObject o{{u"token"_s, true}};
            if (oidc.enabled())
                o.insert(u"oidc"_s, QJsonObject{{u"issuer"_s, oidc.issuer},
                                                {u"client_id"_s, oidc.desktopClient.isEmpty()
                                                                     ? oidc.authorizedParty
                                                                     : oidc.desktopClient}});
            call->reply(o);
        };
        router.add(r);
        r.pattern = u"/readyz"_s;
        r.summary = u"Readiness: registry loaded, database open"_s;
        r.handler = [s](const CallPtr &call) {
            const bool registry = !s->coordinator().registry().path.isEmpty();
            // Open to anyone: no paths or names here.
            call->reply(QJsonObject{{u"ready"_s, registry}, {u"watchdog"_s, watchdogState(*s)}},
                        registry ? 200 : 503);
        };
        router.add(r);
    }
    route("GET", u"/metrics"_s, Role::Viewer, false, u"Prometheus metrics"_s,
          [s](const CallPtr &call) {
              HttpResponse r;
              r.contentType = "text/plain; version=0.0.4";
              r.body = s->metricsText();
              call->finish(r);
          });
    route("GET", u"/api/v1/openapi.json"_s, Role::Viewer, false,
          u"This API's OpenAPI 3 description"_s,
          [&router](const CallPtr &call) { call->reply(OpenApi::describe(router)); });

    route("GET", u"/api/v1/whoami"_s, Role::Viewer, false,
          u"The caller as this coordinator knows it: name, role and how it signed in"_s,
          [](const CallPtr &call) {
              call->reply(QJsonObject{{u"name"_s, call->principal.name},
                                      {u"role"_s, toString(call->principal.role)},
                                      {u"method"_s, call->principal.method}});
          });

    // Registry.
    route("GET", u"/api/v1/registry"_s, Role::Viewer, false, u"The running registry, resolved"_s,
          [s](const CallPtr &call) {
              call->reply(RegistryJson::toJson(s->coordinator().registry()));
          });
    route("POST", u"/api/v1/registry/validate"_s, Role::Viewer, false,
          u"Validate a registry posted as YAML (the running one is not changed)"_s,
          [s](const CallPtr &call) {
              // Off the event loop (a large document must not stall /healthz), one at a time
              // (each is bounded by the YAML limits), and in a sandbox: no environment, no files.
              static std::atomic<int> waiting{0};
              if (waiting.load() >= 2)
                  return call->fail(503, u"busy"_s,
                                    u"other registries are being validated; try again"_s);
              ++waiting;
              s->validations().start([call] {
                  const CheckedRegistry checked =
                      RegistryCheck::posted(call->request.body, u"posted-registry.yml"_s);
                  --waiting;
                  call->reply(QJsonObject{{u"valid"_s, checked.isValid()},
                                          {u"issues"_s, RegistryJson::toJson(checked.issues)}});
              });
          });
    route("POST", u"/api/v1/registry/reload"_s, Role::Operator, true,
          u"Re-read the registry file (an invalid file leaves the running registry)"_s,
          [s](const CallPtr &call) {
              if (auto ok = s->coordinator().reload(); !ok)
                  return call->fail(ok.error());
              call->reply(
                  QJsonObject{{u"reloaded"_s, true},
                              {u"services"_s, s->coordinator().registry().services.size()}});
          });

    // Live state, from memory.
    route("GET", u"/api/v1/hosts"_s, Role::Viewer, false, u"Hosts with their last observation"_s,
          [s](const CallPtr &call) {
              HttpResponse r;
              r.body = s->coordinator().status().hostsJson();
              call->finish(r);
          });
    route("GET", u"/api/v1/services"_s, Role::Viewer, false,
          u"Services with their last observed state (answered from memory)"_s,
          [s](const CallPtr &call) {
              HttpResponse r;
              r.body = s->coordinator().status().servicesJson();
              call->finish(r);
          });
    route("GET", u"/api/v1/services/{name}"_s, Role::Viewer, false,
          u"One service with its last observed state"_s, [s](const CallPtr &call) {
              const QJsonObject o =
                  s->coordinator().status().service(call->params.value(u"name"_s));
              if (o.isEmpty())
                  return call->fail(
                      404, u"not_found"_s,
                      s->coordinator().registry().unknownService(call->params.value(u"name"_s)));
              call->reply(o);
          });
    opRoute("GET", u"/api/v1/services/{name}/logs"_s, u"logs"_s,
            u"The end of a service's log (?lines=N)"_s, [](const CallPtr &call) {
                QJsonObject a{{u"service"_s, call->params.value(u"name"_s)}};
                return queryInt(call, u"lines"_s, a) ? std::optional(a) : std::nullopt;
            });
    opRoute("GET", u"/api/v1/metrics/{name}"_s, u"metrics"_s,
            u"A host's or service's metrics over time (?since=1h), a service's uptime and MTTR"_s,
            [](const CallPtr &call) {
                QJsonObject a{{u"name"_s, call->params.value(u"name"_s)}};
                if (const QString since = call->query(u"since"_s); !since.isEmpty())
                    a.insert(u"since"_s, since);
                return std::optional(a);
            });
    opRoute("GET", u"/api/v1/observe"_s, u"observe"_s, u"Observe hosts now (?service=a,b&host=h)"_s,
            [](const CallPtr &call) {
                QJsonObject a;
                if (const QJsonArray v = queryList(*call, u"service"_s); !v.isEmpty())
                    a.insert(u"services"_s, v);
                if (const QJsonArray v = queryList(*call, u"host"_s); !v.isEmpty())
                    a.insert(u"hosts"_s, v);
                return std::optional(a);
            });
    opRoute("GET", u"/api/v1/diagnose"_s, u"diagnose"_s,
            u"Problems, evidence, scores and the playbooks that would run (?service=a,b)"_s,
            [](const CallPtr &call) {
                QJsonObject a;
                if (const QJsonArray v = queryList(*call, u"service"_s); !v.isEmpty())
                    a.insert(u"services"_s, v);
                return std::optional(a);
            });

    // Changes: a plan, then jobs.
    opRoute("POST", u"/api/v1/plan"_s, u"plan_deploy"_s,
            u"Dry-run: what a deploy would do, with config diffs"_s, bodyArguments);
    opRoute("POST", u"/api/v1/deploy"_s, u"deploy"_s,
            u"Deploy services (or apply a saved plan); 202 with a job"_s, bodyArguments);
    opRoute("POST", u"/api/v1/services/{name}/move"_s, u"move_service"_s,
            u"Move a service to another host ({\"host\": ...}); 202 with a job"_s,
            [](const CallPtr &call) -> std::optional<QJsonObject> {
                auto body = bodyArguments(call);
                if (body)
                    body->insert(u"service"_s, call->params.value(u"name"_s));
                return body;
            });
    const auto serviceOnly = [](const CallPtr &call) {
        return std::optional(QJsonObject{{u"service"_s, call->params.value(u"name"_s)}});
    };
    opRoute("POST", u"/api/v1/services/{name}/start"_s, u"restart_service"_s,
            u"Start a service on its current release; 202 with a job"_s, serviceOnly);
    opRoute("POST", u"/api/v1/services/{name}/restart"_s, u"restart_service"_s,
            u"Restart a service; 202 with a job"_s, serviceOnly);
    opRoute("POST", u"/api/v1/services/{name}/stop"_s, u"stop_service"_s,
            u"Stop a service; 202 with a job"_s, serviceOnly);
    opRoute("POST", u"/api/v1/changes/plan"_s, u"plan_changes"_s,
            u"Plan staged changes ({\"moves\": [{\"service\", \"host\"}], \"redeploys\": "
            "[...]})"_s,
            bodyArguments);
    opRoute("POST", u"/api/v1/changes"_s, u"apply_changes"_s,
            u"Apply staged changes (moves and in-place redeploys); 202 with a job"_s,
            bodyArguments);
    opRoute("POST", u"/api/v1/restart"_s, u"restart_service"_s,
            u"Restart (or with \"start\": true, start) several services in one plan "
            "({\"services\": [...], \"with_dependencies\": ...}); 202 with a job"_s,
            bodyArguments);
    opRoute("POST", u"/api/v1/stop"_s, u"stop_service"_s,
            u"Stop several services ({\"services\": [...]}); 202 with a job"_s, bodyArguments);
    route("GET", u"/api/v1/jobs"_s, Role::Viewer, false, u"Recent jobs"_s,
          [s](const CallPtr &call) {
              QJsonArray items;
              for (const Job &j : s->coordinator().jobs().jobs())
                  items.append(toJson(j));
              call->reply(QJsonObject{{u"jobs"_s, items}});
          });
    route("GET", u"/api/v1/jobs/{id}"_s, Role::Viewer, false, u"A job's state, steps and result"_s,
          [s](const CallPtr &call) {
              const auto job = s->coordinator().jobs().job(call->params.value(u"id"_s));
              if (!job)
                  return call->fail(404, u"not_found"_s,
                                    u"no job %1 (jobs are kept in memory, the last 200)"_s.arg(
                                        call->params.value(u"id"_s)));
              call->reply(toJson(*job));
          });

    // History.
    opRoute("GET", u"/api/v1/history"_s, u"history"_s,
            u"Deployment records, newest first (?service=&limit=&offset=&full=true)"_s,
            [](const CallPtr &call) -> std::optional<QJsonObject> {
                QJsonObject a;
                if (call->request.query.hasQueryItem(u"service"_s))
                    a.insert(u"service"_s, call->query(u"service"_s));
                if (call->query(u"full"_s) == u"true"_s || call->query(u"full"_s) == u"1"_s)
                    a.insert(u"full"_s, true);
                if (!queryInt(call, u"limit"_s, a) || !queryInt(call, u"offset"_s, a))
                    return std::nullopt;
                return a;
            });
    const auto recordId = [](const CallPtr &call, const QString &param, const QString &key,
                             QJsonObject &a) {
        bool ok = false;
        const qint64 id = call->params.value(param).toLongLong(&ok);
        if (!ok || id <= 0) {
            call->fail(
                400, u"invalid_input"_s,
                u"%1: expected a record id, got '%2'"_s.arg(param, call->params.value(param)));
            return false;
        }
        a.insert(key, id);
        return true;
    };
    opRoute("GET", u"/api/v1/history/{id}"_s, u"history_record"_s,
            u"One record with steps and config"_s,
            [recordId](const CallPtr &call) -> std::optional<QJsonObject> {
                auto a = bodyArguments(call); // {"force": true} returns to a failed record
                if (!a || !recordId(call, u"id"_s, u"id"_s, *a))
                    return std::nullopt;
                return a;
            });
    opRoute("GET", u"/api/v1/history/{id}/diff/{other}"_s, u"history_diff"_s,
            u"Config difference between two records"_s,
            [recordId](const CallPtr &call) -> std::optional<QJsonObject> {
                QJsonObject a;
                return recordId(call, u"id"_s, u"from"_s, a)
                               && recordId(call, u"other"_s, u"to"_s, a)
                           ? std::optional(a)
                           : std::nullopt;
            });
    opRoute("POST", u"/api/v1/history/{id}/rollback"_s, u"rollback"_s,
            u"Roll back to a record's release and config; 202 with a job"_s,
            [recordId](const CallPtr &call) -> std::optional<QJsonObject> {
                auto a = bodyArguments(call); // {"force": true} returns to a failed record
                if (!a || !recordId(call, u"id"_s, u"id"_s, *a))
                    return std::nullopt;
                return a;
            });

    // Self-healing.
    route("GET", u"/api/v1/heal"_s, Role::Viewer, false,
          u"Watchdog state (running, paused: observing only, stopped, off)"_s,
          [s](const CallPtr &call) {
              call->reply(QJsonObject{{u"watchdog"_s, watchdogState(*s)}});
          });
    for (const bool pause : {true, false}) {
        route("POST", pause ? u"/api/v1/heal/pause"_s : u"/api/v1/heal/resume"_s, Role::Operator,
              true, pause ? u"Pause healing (services are still observed)"_s : u"Resume healing"_s,
              [s, pause](const CallPtr &call) {
                  if (!s->watchdog())
                      return call->fail(409, u"conflict"_s,
                                        u"the watchdog is off (--serve --no-heal)"_s);
                  s->watchdog()->setObserveOnly(pause);
                  s->coordinator().events().publish(
                      u"heal"_s, {{u"kind"_s, pause ? u"paused"_s : u"resumed"_s},
                                  {u"by"_s, call->principal.name}});
                  call->reply(QJsonObject{{u"watchdog"_s, watchdogState(*s)}});
              });
    }
    opRoute("GET", u"/api/v1/heal/events"_s, u"heal_status"_s,
            u"Recent heal events and the knowledge base (?service=&limit=)"_s,
            [](const CallPtr &call) -> std::optional<QJsonObject> {
                QJsonObject a;
                if (call->request.query.hasQueryItem(u"service"_s))
                    a.insert(u"service"_s, call->query(u"service"_s));
                return queryInt(call, u"limit"_s, a) ? std::optional(a) : std::nullopt;
            });
    route("GET", u"/api/v1/events"_s, Role::Viewer, false,
          u"Server-sent events: job, job.step, health, heal, registry (Last-Event-ID resumes; "
          "?types=job,health filters)"_s,
          [s](const CallPtr &call) { streamEvents(*s, call); });

    opRoute("GET", u"/api/v1/secrets"_s, u"list_secrets"_s,
            u"Secrets metadata (?prefix=&backend=): path, key, version, updated, used_by — never "
            "values"_s,
            [](const CallPtr &call) -> std::optional<QJsonObject> {
                QJsonObject a;
                for (const QString &key : {u"backend"_s, u"prefix"_s}) {
                    if (!call->query(key).isEmpty())
                        a.insert(key, call->query(key));
                }
                return a;
            });

    // Small reads and writes through the facade, on the coordinator's reads thread.
    const auto facadeRead =
        [s](const CallPtr &call,
            std::function<Result<QJsonValue>(Orchestrator &, const Registry &)> fn,
            int okStatus = 200) {
            if (const auto no = s->coordinator().admitRead(call->principal.name, false))
                return call->failBusy(no->callersShare, no->message);
            const Registry registry = s->coordinator().registry();
            s->coordinator().read([fn, registry](Orchestrator &o) { return fn(o, registry); },
                                  [call, okStatus](const Result<QJsonValue> &r) {
                                      if (!r)
                                          return call->fail(r.error());
                                      call->reply(*r, okStatus);
                                  });
        };
    // Operator-registered MCP tools (validated against the registry, stored in the database).
    opRoute("GET", u"/api/v1/mcp/tools"_s, u"list_operator_tools"_s,
            u"Operator-registered MCP tools"_s,
            [](const CallPtr &) -> std::optional<QJsonObject> { return QJsonObject(); });
    route("GET", u"/api/v1/mcp/tools/{name}"_s, Role::Viewer, false, u"One operator tool"_s,
          [facadeRead](const CallPtr &call) {
              const QString name = call->params.value(u"name"_s);
              facadeRead(call, [name](Orchestrator &o, const Registry &) -> Result<QJsonValue> {
                  auto tool = o.operatorTool(name);
                  if (!tool)
                      return tool.error();
                  return QJsonValue(tool->toJson());
              });
          });
    const auto saveTool = [facadeRead](const CallPtr &call, const QString &pathName) {
        auto body = call->jsonBody();
        if (!body)
            return call->fail(body.error());
        if (!pathName.isEmpty())
            body->insert(u"name"_s, pathName);
        auto tool = OperatorTool::fromJson(*body);
        if (!tool)
            return call->fail(tool.error());
        tool->createdBy = call->principal.name;
        facadeRead(
            call,
            [t = *tool](Orchestrator &o, const Registry &registry) -> Result<QJsonValue> {
                if (auto saved = Operations::saveOperatorTool(o, registry, t); !saved)
                    return saved.error();
                return QJsonValue(t.toJson());
            },
            pathName.isEmpty() ? 201 : 200);
    };
    route("POST", u"/api/v1/mcp/tools"_s, Role::Admin, true,
          u"Register a tool: {name, description, input_schema, host, command, role}; {param} in "
          "the command becomes the quoted argument"_s,
          [saveTool](const CallPtr &call) { saveTool(call, {}); });
    route("PUT", u"/api/v1/mcp/tools/{name}"_s, Role::Admin, true, u"Replace an operator tool"_s,
          [saveTool](const CallPtr &call) { saveTool(call, call->params.value(u"name"_s)); });
    route("DELETE", u"/api/v1/mcp/tools/{name}"_s, Role::Admin, true, u"Remove an operator tool"_s,
          [facadeRead](const CallPtr &call) {
              const QString name = call->params.value(u"name"_s);
              facadeRead(call, [name](Orchestrator &o, const Registry &) -> Result<QJsonValue> {
                  if (auto removed = o.removeOperatorTool(name); !removed)
                      return removed.error();
                  return QJsonValue(QJsonObject{{u"removed"_s, name}});
              });
          });

    // Access management.
    opRoute("GET", u"/api/v1/tokens"_s, u"list_tokens"_s, u"API tokens (never their secrets)"_s,
            [](const CallPtr &) -> std::optional<QJsonObject> { return QJsonObject(); });
    route("POST", u"/api/v1/tokens"_s, Role::Admin, true,
          u"Create a token ({\"name\",\"role\"}); its secret is in this answer only"_s,
          [facadeRead](const CallPtr &call) {
              auto body = call->jsonBody();
              if (!body)
                  return call->fail(body.error());
              const auto role = roleFromString(body->value(u"role"_s).toString());
              if (!role)
                  return call->fail(400, u"invalid_input"_s,
                                    u"role: expected viewer, operator or admin"_s);
              const QString name = body->value(u"name"_s).toString();
              facadeRead(
                  call,
                  [name, role = *role](Orchestrator &o, const Registry &) -> Result<QJsonValue> {
                      auto created = o.createToken(name, role);
                      if (!created)
                          return created.error();
                      QJsonObject answer = created->token.toJson();
                      answer.insert(u"token"_s, created->secret); // shown once, never stored
                      return QJsonValue(answer);
                  },
                  201);
          });
    route("DELETE", u"/api/v1/tokens/{name}"_s, Role::Admin, true, u"Revoke a token"_s,
          [facadeRead](const CallPtr &call) {
              const QString name = call->params.value(u"name"_s);
              facadeRead(call, [name](Orchestrator &o, const Registry &) -> Result<QJsonValue> {
                  auto revoked = o.revokeToken(name);
                  if (!revoked)
                      return revoked.error();
                  return QJsonValue(QJsonObject{{u"revoked"_s, revoked->name}});
              });
          });
    route("GET", u"/api/v1/audit"_s, Role::Admin, false,
          u"The audit log, newest first (?limit=&offset=&actor=)"_s, [s](const CallPtr &call) {
              bool limitOk = false, offsetOk = false;
              const int limit = call->query(u"limit"_s, u"100"_s).toInt(&limitOk);
              const int offset = call->query(u"offset"_s, u"0"_s).toInt(&offsetOk);
              if (!limitOk || limit < 1 || limit > 10000 || !offsetOk || offset < 0)
                  return call->fail(400, u"invalid_input"_s,
                                    u"limit must be 1-10000 and offset 0 or more"_s);
              const auto entries = s->audit().list(limit, offset, call->query(u"actor"_s));
              if (!entries)
                  return call->fail(entries.error());
              QJsonArray items;
              for (const AuditEntry &e : *entries)
                  items.append(toJson(e));
              call->reply(QJsonObject{{u"entries"_s, items}});
          });
}

} // namespace Portoser
