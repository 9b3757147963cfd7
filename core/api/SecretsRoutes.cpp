// SPDX-License-Identifier: Apache-2.0
#include "core/api/SecretsRoutes.h"

#include "core/api/ApiServer.h"
#include "core/api/Coordinator.h"
#include "core/secrets/EnvFile.h"

#include <QJsonArray>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

using SecretsFn =
    std::function<Result<QJsonValue>(SecretsBackend &, Orchestrator &, const Registry &)>;

/** Runs `fn` on the reads worker with the backend the call names (`backend`, else the default). */
void withSecrets(ApiServer &server, const CallPtr &call, const QString &backend, SecretsFn fn,
                 int okStatus = 200)
{
    const Registry registry = server.coordinator().registry();
    server.coordinator().read(
        [fn, registry, backend](Orchestrator &o) -> Result<QJsonValue> {
            auto store = o.secrets(backend);
            if (!store)
                return store.error();
            return fn(**store, o, registry);
        },
        [call, okStatus](const Result<QJsonValue> &r) {
            if (!r)
                return call->fail(r.error());
            call->reply(*r, okStatus);
        });
}

/** {path, key} from the body (or query), or a 400 already sent. */
std::optional<std::pair<QString, QString>> pathAndKey(const CallPtr &call, const QJsonObject &body)
{
    const QString path = body.value(u"path"_s).toString(call->query(u"path"_s));
    const QString key = body.value(u"key"_s).toString(call->query(u"key"_s));
    if (path.isEmpty() || key.isEmpty()) {
        call->fail(400, u"invalid_input"_s, u"name the secret with \"path\" and \"key\""_s);
        return std::nullopt;
    }
    return std::pair{path, key};
}

QJsonArray versionsJson(const QList<SecretVersion> &versions)
{
    QJsonArray out;
    for (const SecretVersion &v : versions)
        out.append(QJsonObject{{u"version"_s, v.version},
                               {u"at"_s, v.at.toString(Qt::ISODateWithMs)},
                               {u"deleted"_s, v.deleted}});
    return out;
}

} // namespace

void addSecretsRoutes(Router &router, ApiServer &server)
{
    ApiServer *s = &server;
    auto route = [&router](QByteArray method, QString pattern, Role role, bool audited,
                           QString summary, std::function<void(const CallPtr &)> handler) {
        Route r;
        r.method = std::move(method);
        r.pattern = std::move(pattern);
        r.role = role;
        r.audited = audited;
        r.summary = std::move(summary);
        r.handler = std::move(handler);
        router.add(std::move(r));
    };
    // The body of a change, or a 400 already sent.
    auto body = [](const CallPtr &call) -> std::optional<QJsonObject> {
        auto parsed = call->jsonBody();
        if (!parsed) {
            call->fail(parsed.error());
            return std::nullopt;
        }
        return *parsed;
    };

    route("GET", u"/api/v1/secrets"_s, Role::Operator, false,
          u"Secrets metadata (?prefix=&backend=): path, key, version, updated, used_by — never "
          "values"_s,
          [s](const CallPtr &call) {
              const QString prefix = call->query(u"prefix"_s);
              withSecrets(
                  *s, call, call->query(u"backend"_s),
                  [prefix](SecretsBackend &store, Orchestrator &o,
                           const Registry &registry) -> Result<QJsonValue> {
                      auto paths = store.paths(prefix);
                      if (!paths)
                          return paths.error();
                      const auto users = o.secretUsers(registry, store.kind());
                      QJsonArray items;
                      for (const QString &path : std::as_const(*paths)) {
                          auto keys = store.keys(path);
                          if (!keys)
                              return keys.error();
                          for (const QString &key : std::as_const(*keys)) {
                              auto history = store.versions(path, key);
                              if (!history)
                                  return history.error();
                              items.append(QJsonObject{
                                  {u"path"_s, path},
                                  {u"key"_s, key},
                                  {u"version"_s, history->last().version},
                                  {u"updated_at"_s, history->last().at.toString(Qt::ISODateWithMs)},
                                  {u"used_by"_s,
                                   QJsonArray::fromStringList(users.value(path + u'#' + key))}});
                          }
                      }
                      return QJsonValue(
                          QJsonObject{{u"backend"_s, store.kind()}, {u"secrets"_s, items}});
                  });
          });
    route("GET", u"/api/v1/secrets/status"_s, Role::Operator, false,
          u"The secrets backend: where, reachable, unlocked (?backend=)"_s,
          [s](const CallPtr &call) {
              withSecrets(*s, call, call->query(u"backend"_s),
                          [](SecretsBackend &store, Orchestrator &, const Registry &)
                              -> Result<QJsonValue> { return QJsonValue(store.status()); });
          });
    route(
        "GET", u"/api/v1/secrets/versions"_s, Role::Operator, false,
        u"A secret's versions (?path=&key=&backend=), without values"_s, [s](const CallPtr &call) {
            const auto named = pathAndKey(call, {});
            if (!named)
                return;
            withSecrets(*s, call, call->query(u"backend"_s),
                        [named](SecretsBackend &store, Orchestrator &,
                                const Registry &) -> Result<QJsonValue> {
                            auto history = store.versions(named->first, named->second);
                            if (!history)
                                return history.error();
                            return QJsonValue(QJsonObject{{u"path"_s, named->first},
                                                          {u"key"_s, named->second},
                                                          {u"versions"_s, versionsJson(*history)}});
                        });
        });
    route("POST", u"/api/v1/secrets/reveal"_s, Role::Admin, true,
          u"A secret's value {path, key, version?, backend?}; admin only, audited"_s,
          [s, body](const CallPtr &call) {
              const auto b = body(call);
              const auto named = b ? pathAndKey(call, *b) : std::nullopt;
              if (!named)
                  return;
              const int version = b->value(u"version"_s).toInt();
              withSecrets(*s, call, b->value(u"backend"_s).toString(),
                          [named, version](SecretsBackend &store, Orchestrator &,
                                           const Registry &) -> Result<QJsonValue> {
                              auto value = store.get(named->first, named->second, version);
                              if (!value)
                                  return value.error();
                              return QJsonValue(QJsonObject{{u"path"_s, named->first},
                                                            {u"key"_s, named->second},
                                                            {u"value"_s, *value}});
                          });
          });
    route("PUT", u"/api/v1/secrets"_s, Role::Admin, true,
          u"Store a value {path, key, value, backend?}; answers the new version"_s,
          [s, body](const CallPtr &call) {
              const auto b = body(call);
              const auto named = b ? pathAndKey(call, *b) : std::nullopt;
              if (!named)
                  return;
              if (!b->value(u"value"_s).isString())
                  return call->fail(400, u"invalid_input"_s, u"\"value\" must be a string"_s);
              const QString value = b->value(u"value"_s).toString();
              withSecrets(*s, call, b->value(u"backend"_s).toString(),
                          [named, value](SecretsBackend &store, Orchestrator &,
                                         const Registry &) -> Result<QJsonValue> {
                              auto version = store.put(named->first, named->second, value);
                              if (!version)
                                  return version.error();
                              return QJsonValue(QJsonObject{{u"path"_s, named->first},
                                                            {u"key"_s, named->second},
                                                            {u"version"_s, *version}});
                          });
          });
    route("DELETE", u"/api/v1/secrets"_s, Role::Admin, true,
          u"Delete a secret (?path=&key=&backend=); its versions are kept"_s,
          [s](const CallPtr &call) {
              const auto named = pathAndKey(call, {});
              if (!named)
                  return;
              withSecrets(*s, call, call->query(u"backend"_s),
                          [named](SecretsBackend &store, Orchestrator &,
                                  const Registry &) -> Result<QJsonValue> {
                              if (auto removed = store.remove(named->first, named->second);
                                  !removed)
                                  return removed.error();
                              return QJsonValue(QJsonObject{
                                  {u"deleted"_s, QString(named->first + u'#' + named->second)}});
                          });
          });
    route("POST", u"/api/v1/secrets/rollback"_s, Role::Admin, true,
          u"Make a version current again {path, key, version, backend?}"_s,
          [s, body](const CallPtr &call) {
              const auto b = body(call);
              const auto named = b ? pathAndKey(call, *b) : std::nullopt;
              if (!named)
                  return;
              const int version = b->value(u"version"_s).toInt();
              if (version < 1)
                  return call->fail(400, u"invalid_input"_s, u"\"version\" must be a number ≥ 1"_s);
              withSecrets(*s, call, b->value(u"backend"_s).toString(),
                          [named, version](SecretsBackend &store, Orchestrator &,
                                           const Registry &) -> Result<QJsonValue> {
                              auto written = store.rollback(named->first, named->second, version);
                              if (!written)
                                  return written.error();
                              return QJsonValue(QJsonObject{{u"path"_s, named->first},
                                                            {u"key"_s, named->second},
                                                            {u"version"_s, *written}});
                          });
          });
    route("POST", u"/api/v1/secrets/import"_s, Role::Admin, true,
          u"Import a .env text {path, content, dry_run?, backend?}: writes the keys whose value "
          "differs"_s,
          [s, body](const CallPtr &call) {
              const auto b = body(call);
              if (!b)
                  return;
              const QString path = b->value(u"path"_s).toString();
              if (path.isEmpty())
                  return call->fail(400, u"invalid_input"_s, u"say where with \"path\""_s);
              auto values =
                  EnvFile::parse(b->value(u"content"_s).toString().toUtf8(), u"content"_s);
              if (!values)
                  return call->fail(values.error());
              const bool dryRun = b->value(u"dry_run"_s).toBool();
              withSecrets(*s, call, b->value(u"backend"_s).toString(),
                          [path, v = *values, dryRun](SecretsBackend &store, Orchestrator &,
                                                      const Registry &) -> Result<QJsonValue> {
                              auto changed = store.writeChanged(path, v, dryRun);
                              if (!changed)
                                  return changed.error();
                              return QJsonValue(QJsonObject{
                                  {u"path"_s, path},
                                  {u"dry_run"_s, dryRun},
                                  {u"keys"_s, QJsonArray::fromStringList(v.keys())},
                                  {u"written"_s, QJsonArray::fromStringList(*changed)}});
                          });
          });
    route("POST", u"/api/v1/secrets/migrate"_s, Role::Admin, true,
          u"Move services' env_file into the store {services?, dry_run?, remove_originals?, "
          "backend?}"_s,
          [s, body](const CallPtr &call) {
              const auto b = body(call);
              if (!b)
                  return;
              QStringList services;
              for (const QJsonValue &v : b->value(u"services"_s).toArray())
                  services.append(v.toString());
              SecretsMigrator::Options options;
              options.dryRun = b->value(u"dry_run"_s).toBool();
              options.removeOriginals = b->value(u"remove_originals"_s).toBool();
              const Registry registry = s->coordinator().registry();
              const QString backend = b->value(u"backend"_s).toString();
              s->coordinator().read(
                  [registry, services, options, backend](Orchestrator &o) -> Result<QJsonValue> {
                      auto steps = o.migrateSecrets(registry, services, options, backend);
                      if (!steps)
                          return steps.error();
                      QJsonArray items;
                      for (const MigrationStep &step : std::as_const(*steps))
                          items.append(step.toJson());
                      return QJsonValue(
                          QJsonObject{{u"dry_run"_s, options.dryRun}, {u"services"_s, items}});
                  },
                  [call](const Result<QJsonValue> &r) {
                      if (!r)
                          return call->fail(r.error());
                      call->reply(*r);
                  });
          });
}

} // namespace Portoser
