// SPDX-License-Identifier: Apache-2.0
#include "core/registry/RegistryJson.h"

#include "core/registry/RegistrySchema.h"

#include <type_traits>
#include <variant>

namespace Portoser::RegistryJson {

namespace {

using namespace Qt::Literals::StringLiterals;

QJsonObject toJson(const QMap<QString, QString> &map)
{
    QJsonObject o;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QString healthTypeName(HealthCheck::Type type)
{
    switch (type) {
    case HealthCheck::Type::Auto:
        return u"auto"_s;
    case HealthCheck::Type::Http:
        return u"http"_s;
    case HealthCheck::Type::Tcp:
        return u"tcp"_s;
    case HealthCheck::Type::Command:
        return u"command"_s;
    }
    return {};
}

using RegistrySchema::Json;

QMap<QString, QString> stringMapFrom(const QJsonObject &o)
{
    QMap<QString, QString> map;
    for (auto it = o.begin(); it != o.end(); ++it)
        map.insert(it.key(), it.value().toString());
    return map;
}

QStringList stringListFrom(const QJsonArray &a)
{
    QStringList list;
    for (const QJsonValue &v : a)
        list.append(v.toString());
    return list;
}

/** Writes the members the rows of `table` name (IfSet and Always rows) into `o`. */
template <typename Entity>
void writeFields(QJsonObject &o, const Entity &entity, const RegistrySchema::Table<Entity> &table)
{
    for (const RegistrySchema::Field<Entity> &field : table) {
        if (field.json != Json::IfSet && field.json != Json::Always)
            continue;
        const bool always = field.json == Json::Always;
        std::visit(
            [&](auto member) {
                if constexpr (!std::is_same_v<decltype(member), std::monostate>) {
                    const auto &value = entity.*member;
                    using T = std::remove_cvref_t<decltype(value)>;
                    if constexpr (std::is_same_v<T, QString>) {
                        if (always || !value.isEmpty())
                            o.insert(field.key, value);
                    } else if constexpr (std::is_same_v<T, std::optional<int>>) {
                        if (value)
                            o.insert(field.key, *value);
                    } else if constexpr (std::is_same_v<T, QStringList>) {
                        if (always || !value.isEmpty())
                            o.insert(field.key, QJsonArray::fromStringList(value));
                    } else if constexpr (std::is_same_v<T, QMap<QString, QString>>) {
                        if (always || !value.isEmpty())
                            o.insert(field.key, toJson(value));
                    } else { // int, bool
                        o.insert(field.key, value);
                    }
                }
            },
            field.slot);
    }
}

/** Reads back what writeFields wrote; what is missing keeps the member's default. */
template <typename Entity>
void readFields(const QJsonObject &o, Entity &entity, const RegistrySchema::Table<Entity> &table)
{
    for (const RegistrySchema::Field<Entity> &field : table) {
        if ((field.json != Json::IfSet && field.json != Json::Always) || !o.contains(field.key))
            continue;
        const QJsonValue json = o.value(field.key);
        std::visit(
            [&](auto member) {
                if constexpr (!std::is_same_v<decltype(member), std::monostate>) {
                    auto &value = entity.*member;
                    using T = std::remove_cvref_t<decltype(value)>;
                    if constexpr (std::is_same_v<T, QString>)
                        value = json.toString(value);
                    else if constexpr (std::is_same_v<T, int>)
                        value = json.toInt(value);
                    else if constexpr (std::is_same_v<T, std::optional<int>>)
                        value = json.toInt();
                    else if constexpr (std::is_same_v<T, bool>)
                        value = json.toBool(value);
                    else if constexpr (std::is_same_v<T, QStringList>)
                        value = stringListFrom(json.toArray());
                    else
                        value = stringMapFrom(json.toObject());
                }
            },
            field.slot);
    }
}

} // namespace

QJsonObject toJson(const SourceLocation &where)
{
    return {{u"file"_s, where.file}, {u"line"_s, where.line}, {u"column"_s, where.column}};
}

QJsonObject toJson(const Issue &issue)
{
    QJsonObject o = toJson(issue.where);
    o.insert(u"severity"_s, issue.isError() ? u"error"_s : u"warning"_s);
    o.insert(u"message"_s, issue.message);
    return o;
}

QJsonArray toJson(const IssueList &issues)
{
    QJsonArray a;
    for (const Issue &i : issues)
        a.append(toJson(i));
    return a;
}

QJsonObject toJson(const Host &host)
{
    QJsonObject o{{u"name"_s, host.name},
                  {u"address"_s, host.address()},
                  {u"transport"_s, host.isLocal() ? u"local"_s : u"ssh"_s},
                  {u"location"_s, toJson(host.location)}};
    writeFields(o, host, RegistrySchema::hostFields());
    return o;
}

namespace {

SourceLocation locationFromJson(const QJsonObject &o)
{
    SourceLocation where;
    where.file = o.value(u"file"_s).toString();
    where.line = o.value(u"line"_s).toInt();
    where.column = o.value(u"column"_s).toInt();
    return where;
}

} // namespace

Host hostFromJson(const QJsonObject &o)
{
    Host h;
    h.name = o.value(u"name"_s).toString();
    h.location = locationFromJson(o.value(u"location"_s).toObject());
    readFields(o, h, RegistrySchema::hostFields());
    return h;
}

QJsonObject toJson(const Registry &registry)
{
    QJsonArray hosts, services;
    for (const Host &h : registry.hosts)
        hosts.append(toJson(h));
    for (const Service &s : registry.services)
        services.append(toJson(s));
    return {{u"path"_s, registry.path},
            {u"domain"_s, registry.domain},
            {u"hosts"_s, hosts},
            {u"services"_s, services}};
}

Registry registryFromJson(const QJsonObject &json)
{
    Registry registry;
    registry.path = json.value(u"path"_s).toString();
    registry.domain = json.value(u"domain"_s).toString();
    for (const QJsonValue &v : json.value(u"hosts"_s).toArray()) {
        Host h = hostFromJson(v.toObject());
        registry.hosts.insert(h.name, h);
    }
    for (const QJsonValue &v : json.value(u"services"_s).toArray()) {
        Service s = serviceFromJson(v.toObject());
        s.location = locationFromJson(v.toObject().value(u"location"_s).toObject());
        registry.services.insert(s.name, s);
    }
    return registry;
}

QJsonObject toJson(const Service &s)
{
    QJsonObject o{{u"name"_s, s.name},
                  {u"deployment_type"_s, toString(s.type)},
                  {u"dependencies"_s, QJsonArray::fromStringList(s.allDependencies())},
                  {u"location"_s, toJson(s.location)}};
    if (const auto port = s.effectivePort())
        o.insert(u"port"_s, *port);
    writeFields(o, s, RegistrySchema::serviceFields());
    QJsonObject health{{u"type"_s, healthTypeName(s.health.type)}};
    writeFields(health, s.health, RegistrySchema::healthFields());
    o.insert(u"health"_s, health);
    QJsonObject heal;
    writeFields(heal, s.heal, RegistrySchema::healFields());
    o.insert(u"heal"_s, heal);
    if (s.serviceFile) {
        QJsonObject file{{u"path"_s, s.serviceFile->path}};
        writeFields(file, *s.serviceFile, RegistrySchema::serviceFileFields());
        o.insert(u"service_file_contents"_s, file);
    }
    return o;
}

Service serviceFromJson(const QJsonObject &o)
{
    Service s;
    s.name = o.value(u"name"_s).toString();
    s.type = deploymentTypeFromString(o.value(u"deployment_type"_s).toString())
                 .value_or(DeploymentType::Process);
    if (o.contains(u"port"_s))
        s.port = o.value(u"port"_s).toInt();
    s.dependencies = stringListFrom(o.value(u"dependencies"_s).toArray());
    // Everything toJson writes: a rollback or rerun of a snapshot runs what it ran then.
    readFields(o, s, RegistrySchema::serviceFields());
    const QJsonObject h = o.value(u"health"_s).toObject();
    static const QHash<QString, HealthCheck::Type> types = {
        {u"auto"_s, HealthCheck::Type::Auto},
        {u"http"_s, HealthCheck::Type::Http},
        {u"tcp"_s, HealthCheck::Type::Tcp},
        {u"command"_s, HealthCheck::Type::Command}};
    s.health.type = types.value(h.value(u"type"_s).toString(), HealthCheck::Type::Auto);
    readFields(h, s.health, RegistrySchema::healthFields());
    readFields(o.value(u"heal"_s).toObject(), s.heal, RegistrySchema::healFields());
    if (o.contains(u"service_file_contents"_s)) {
        const QJsonObject f = o.value(u"service_file_contents"_s).toObject();
        ServiceFile file;
        file.path = f.value(u"path"_s).toString();
        readFields(f, file, RegistrySchema::serviceFileFields());
        s.serviceFile = file;
    }
    return s;
}

} // namespace Portoser::RegistryJson
