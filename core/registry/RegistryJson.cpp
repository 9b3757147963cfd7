// SPDX-License-Identifier: Apache-2.0
#include "core/registry/RegistryJson.h"

namespace Portoser::RegistryJson {

namespace {

using namespace Qt::Literals::StringLiterals;

void putIfSet(QJsonObject &o, const QString &key, const QString &value)
{
    if (!value.isEmpty())
        o.insert(key, value);
}

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
                  {u"ssh_port"_s, host.sshPort},
                  {u"transport"_s, host.isLocal() ? u"local"_s : u"ssh"_s},
                  {u"roles"_s, QJsonArray::fromStringList(host.roles)},
                  {u"location"_s, toJson(host.location)}};
    putIfSet(o, u"ip"_s, host.ip);
    putIfSet(o, u"ssh_hostname"_s, host.sshHostname);
    putIfSet(o, u"ssh_user"_s, host.sshUser);
    putIfSet(o, u"path"_s, host.path);
    putIfSet(o, u"arch"_s, host.arch);
    putIfSet(o, u"description"_s, host.description);
    putIfSet(o, u"ssh_key"_s, host.sshKey);
    putIfSet(o, u"known_hosts"_s, host.knownHosts);
    return o;
}

QJsonObject toJson(const Service &s)
{
    QJsonObject o{{u"name"_s, s.name},
                  {u"current_host"_s, s.currentHost},
                  {u"deployment_type"_s, toString(s.type)},
                  {u"dependencies"_s, QJsonArray::fromStringList(s.allDependencies())},
                  {u"tags"_s, QJsonArray::fromStringList(s.tags)},
                  {u"location"_s, toJson(s.location)}};
    if (const auto port = s.effectivePort())
        o.insert(u"port"_s, *port);
    putIfSet(o, u"hostname"_s, s.hostname);
    putIfSet(o, u"healthcheck_url"_s, s.healthcheckUrl);
    putIfSet(o, u"healthcheck_command"_s, s.healthcheckCommand);
    putIfSet(o, u"docker_compose"_s, s.dockerCompose);
    putIfSet(o, u"service_file"_s, s.serviceFilePath);
    putIfSet(o, u"service_name"_s, s.serviceName);
    putIfSet(o, u"working_dir"_s, s.workingDir);
    putIfSet(o, u"python_manager"_s, s.pythonManager);
    putIfSet(o, u"restart_command"_s, s.restartCommand);
    putIfSet(o, u"tls_cert"_s, s.tlsCert);
    putIfSet(o, u"tls_key"_s, s.tlsKey);
    putIfSet(o, u"ca_cert"_s, s.caCert);
    putIfSet(o, u"platform"_s, s.platform);
    putIfSet(o, u"description"_s, s.description);
    putIfSet(o, u"command"_s, s.command);
    putIfSet(o, u"source"_s, s.source);
    putIfSet(o, u"env_file"_s, s.envFile);
    if (!s.env.isEmpty())
        o.insert(u"env"_s, toJson(s.env));
    if (!s.secrets.isEmpty())
        o.insert(u"secrets"_s, toJson(s.secrets)); // references (path#key), not values
    QJsonObject health{{u"type"_s, healthTypeName(s.health.type)},
                       {u"path"_s, s.health.path},
                       {u"interval"_s, s.health.intervalSeconds},
                       {u"timeout"_s, s.health.timeoutSeconds},
                       {u"retries"_s, s.health.retries},
                       {u"start_period"_s, s.health.startPeriodSeconds}};
    if (s.health.port)
        health.insert(u"port"_s, *s.health.port);
    if (s.health.minUptimeSeconds) // only when set: older snapshots stay comparable
        health.insert(u"min_uptime"_s, *s.health.minUptimeSeconds);
    putIfSet(health, u"command"_s, s.health.command);
    o.insert(u"health"_s, health);
    o.insert(u"heal"_s, QJsonObject{{u"enabled"_s, s.heal.enabled},
                                    {u"max_restarts"_s, s.heal.maxRestarts},
                                    {u"window"_s, s.heal.windowSeconds}});
    o.insert(u"stop_timeout"_s, s.stopTimeoutSeconds);
    if (s.serviceFile) {
        const ServiceFile &sf = *s.serviceFile;
        QJsonObject file{{u"path"_s, sf.path}};
        putIfSet(file, u"start"_s, sf.start);
        putIfSet(file, u"stop"_s, sf.stop);
        putIfSet(file, u"restart"_s, sf.restart);
        putIfSet(file, u"status"_s, sf.status);
        putIfSet(file, u"healthcheck"_s, sf.healthcheck);
        putIfSet(file, u"env_file"_s, sf.envFile);
        putIfSet(file, u"working_dir"_s, sf.workingDir);
        if (sf.port)
            file.insert(u"port"_s, *sf.port);
        o.insert(u"service_file_contents"_s, file);
    }
    return o;
}

Service serviceFromJson(const QJsonObject &o)
{
    Service s;
    s.name = o.value(u"name"_s).toString();
    s.currentHost = o.value(u"current_host"_s).toString();
    s.type = deploymentTypeFromString(o.value(u"deployment_type"_s).toString())
                 .value_or(DeploymentType::Process);
    if (o.contains(u"port"_s))
        s.port = o.value(u"port"_s).toInt();
    s.command = o.value(u"command"_s).toString();
    s.source = o.value(u"source"_s).toString();
    s.workingDir = o.value(u"working_dir"_s).toString();
    s.healthcheckUrl = o.value(u"healthcheck_url"_s).toString();
    s.healthcheckCommand = o.value(u"healthcheck_command"_s).toString();
    for (const QJsonValue &d : o.value(u"dependencies"_s).toArray())
        s.dependencies.append(d.toString());
    const QJsonObject env = o.value(u"env"_s).toObject();
    for (auto it = env.begin(); it != env.end(); ++it)
        s.env.insert(it.key(), it.value().toString());
    const QJsonObject secrets = o.value(u"secrets"_s).toObject();
    for (auto it = secrets.begin(); it != secrets.end(); ++it)
        s.secrets.insert(it.key(), it.value().toString());
    const QJsonObject h = o.value(u"health"_s).toObject();
    static const QHash<QString, HealthCheck::Type> types = {
        {u"auto"_s, HealthCheck::Type::Auto},
        {u"http"_s, HealthCheck::Type::Http},
        {u"tcp"_s, HealthCheck::Type::Tcp},
        {u"command"_s, HealthCheck::Type::Command}};
    s.health.type = types.value(h.value(u"type"_s).toString(), HealthCheck::Type::Auto);
    s.health.path = h.value(u"path"_s).toString(u"/"_s);
    if (h.contains(u"port"_s))
        s.health.port = h.value(u"port"_s).toInt();
    s.health.command = h.value(u"command"_s).toString();
    s.health.intervalSeconds = h.value(u"interval"_s).toInt(s.health.intervalSeconds);
    s.health.timeoutSeconds = h.value(u"timeout"_s).toInt(s.health.timeoutSeconds);
    s.health.retries = h.value(u"retries"_s).toInt(s.health.retries);
    s.health.startPeriodSeconds = h.value(u"start_period"_s).toInt(0);
    if (h.contains(u"min_uptime"_s))
        s.health.minUptimeSeconds = h.value(u"min_uptime"_s).toInt();
    s.stopTimeoutSeconds = o.value(u"stop_timeout"_s).toInt(Service::DefaultStopTimeoutSeconds);
    // Everything else toJson writes: a rollback or rerun of a snapshot runs what it ran then.
    s.hostname = o.value(u"hostname"_s).toString();
    s.dockerCompose = o.value(u"docker_compose"_s).toString();
    s.serviceFilePath = o.value(u"service_file"_s).toString();
    s.serviceName = o.value(u"service_name"_s).toString();
    s.pythonManager = o.value(u"python_manager"_s).toString();
    s.restartCommand = o.value(u"restart_command"_s).toString();
    s.tlsCert = o.value(u"tls_cert"_s).toString();
    s.tlsKey = o.value(u"tls_key"_s).toString();
    s.caCert = o.value(u"ca_cert"_s).toString();
    s.platform = o.value(u"platform"_s).toString();
    s.description = o.value(u"description"_s).toString();
    s.envFile = o.value(u"env_file"_s).toString();
    for (const QJsonValue &t : o.value(u"tags"_s).toArray())
        s.tags.append(t.toString());
    const QJsonObject heal = o.value(u"heal"_s).toObject();
    s.heal.enabled = heal.value(u"enabled"_s).toBool(s.heal.enabled);
    s.heal.maxRestarts = heal.value(u"max_restarts"_s).toInt(s.heal.maxRestarts);
    s.heal.windowSeconds = heal.value(u"window"_s).toInt(s.heal.windowSeconds);
    if (o.contains(u"service_file_contents"_s)) {
        const QJsonObject f = o.value(u"service_file_contents"_s).toObject();
        ServiceFile file;
        file.path = f.value(u"path"_s).toString();
        file.start = f.value(u"start"_s).toString();
        file.stop = f.value(u"stop"_s).toString();
        file.restart = f.value(u"restart"_s).toString();
        file.status = f.value(u"status"_s).toString();
        file.healthcheck = f.value(u"healthcheck"_s).toString();
        file.envFile = f.value(u"env_file"_s).toString();
        file.workingDir = f.value(u"working_dir"_s).toString();
        if (f.contains(u"port"_s))
            file.port = f.value(u"port"_s).toInt();
        s.serviceFile = file;
    }
    return s;
}

} // namespace Portoser::RegistryJson
