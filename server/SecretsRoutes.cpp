// SPDX-License-Identifier: Apache-2.0
#include "server/SecretsRoutes.h"

#include "core/runtime/Coordinator.h"
#include "core/secrets/EnvFile.h"
#include "server/ApiServer.h"

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
    // A backend may be Vault, over the network: not on the store's worker.
    if (const auto no = server.coordinator().admitRead(call->principal.name, true))
        return call->failBusy(no->callersShare, no->message);
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
        },
        true, call->principal.name);
}

using KeyFn = std::function<Result<QJsonObject>(SecretsBackend &, const QString &path,
                                                const QString &key, const QJsonObject &args)>;

/**
 * A call on one secret: `path`, `key` and `backend` from the JSON body or the query; `fn` gets
 * the body, and its answer is returned with the path and key added.
 */
void onSecret(ApiServer &server, const CallPtr &call, KeyFn fn)
{
    auto args = call->jsonBody();
    if (!args)
        return call->fail(args.error());
    const auto field = [&](const QString &name) {
        return args->value(name).toString(call->query(name));
    };
    const QString path = field(u"path"_s);
    const QString key = field(u"key"_s);
    if (path.isEmpty() || key.isEmpty())
        return call->fail(400, u"invalid_input"_s, u"name the secret with \"path\" and \"key\""_s);
    withSecrets(server, call, field(u"backend"_s),
                [fn, path, key, a = *args](SecretsBackend &store, Orchestrator &,
                                           const Registry &) -> Result<QJsonValue> {
                    auto answer = fn(store, path, key, a);
                    if (!answer)
                        return answer.error();
                    answer->insert(u"path"_s, path);
                    answer->insert(u"key"_s, key);
                    return QJsonValue(*answer);
                });
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
        router.add(Route::make(std::move(method), std::move(pattern), role, audited,
                               std::move(summary), std::move(handler)));
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

    route("GET", u"/api/v1/secrets/status"_s, Role::Operator, false,
          u"The secrets backend: where, reachable, unlocked (?backend=)"_s,
          [s](const CallPtr &call) {
              withSecrets(*s, call, call->query(u"backend"_s),
                          [](SecretsBackend &store, Orchestrator &, const Registry &)
                              -> Result<QJsonValue> { return QJsonValue(store.status()); });
          });
    route("GET", u"/api/v1/secrets/versions"_s, Role::Operator, false,
          u"A secret's versions (?path=&key=&backend=), without values"_s,
          [s](const CallPtr &call) {
              onSecret(*s, call,
                       [](SecretsBackend &store, const QString &path, const QString &key,
                          const QJsonObject &) -> Result<QJsonObject> {
                           auto history = store.versions(path, key);
                           if (!history)
                               return history.error();
                           return QJsonObject{{u"versions"_s, versionsJson(*history)}};
                       });
          });
    route("POST", u"/api/v1/secrets/reveal"_s, Role::Admin, true,
          u"A secret's value {path, key, version?, backend?}; admin only, audited"_s,
          [s](const CallPtr &call) {
              onSecret(*s, call,
                       [](SecretsBackend &store, const QString &path, const QString &key,
                          const QJsonObject &args) -> Result<QJsonObject> {
                           auto value = store.get(path, key, args.value(u"version"_s).toInt());
                           if (!value)
                               return value.error();
                           return QJsonObject{{u"value"_s, *value}};
                       });
          });
    route("PUT", u"/api/v1/secrets"_s, Role::Admin, true,
          u"Store a value {path, key, value, backend?}; answers the new version"_s,
          [s](const CallPtr &call) {
              onSecret(
                  *s, call,
                  [](SecretsBackend &store, const QString &path, const QString &key,
                     const QJsonObject &args) -> Result<QJsonObject> {
                      if (!args.value(u"value"_s).isString())
                          return Error{ErrorCode::InvalidInput, u"\"value\" must be a string"_s};
                      auto version = store.put(path, key, args.value(u"value"_s).toString());
                      if (!version)
                          return version.error();
                      return QJsonObject{{u"version"_s, *version}};
                  });
          });
    route("DELETE", u"/api/v1/secrets"_s, Role::Admin, true,
          u"Delete a secret (?path=&key=&backend=); its versions are kept"_s,
          [s](const CallPtr &call) {
              onSecret(*s, call,
                       [](SecretsBackend &store, const QString &path, const QString &key,
                          const QJsonObject &) -> Result<QJsonObject> {
                           if (auto removed = store.remove(path, key); !removed)
                               return removed.error();
                           return QJsonObject{{u"deleted"_s, true}};
                       });
          });
    route("POST", u"/api/v1/secrets/rollback"_s, Role::Admin, true,
          u"Make a version current again {path, key, version, backend?}"_s,
          [s](const CallPtr &call) {
              onSecret(*s, call,
                       [](SecretsBackend &store, const QString &path, const QString &key,
                          const QJsonObject &args) -> Result<QJsonObject> {
                           const int version = args.value(u"version"_s).toInt();
                           if (version < 1)
                               return Error{ErrorCode::InvalidInput,
                                            u"\"version\" must be a number ≥ 1"_s};
                           auto written = store.rollback(path, key, version);
                           if (!written)
                               return written.error();
                           return QJsonObject{{u"version"_s, *written}};
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
                  },
                  true); // reads env files on the hosts
          });
}

} // namespace Portoser
