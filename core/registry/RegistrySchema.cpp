// SPDX-License-Identifier: Apache-2.0
#include "core/registry/RegistrySchema.h"

#include "core/registry/FieldRules.h"

#include <algorithm>
#include <numeric>

namespace Portoser::RegistrySchema {

using namespace Qt::Literals::StringLiterals;

const Table<Host> &hostFields()
{
    using H = Host;
    static const Table<Host> table = {
        {u"ip"_s, Value::Text, &H::ip, Json::IfSet, &FieldRules::checkAddress},
        {u"ssh_user"_s, Value::Text, &H::sshUser, Json::IfSet, &FieldRules::checkUser},
        {u"ssh_port"_s, Value::Port, &H::sshPort, Json::Always},
        {u"ssh_hostname"_s, Value::Text, &H::sshHostname, Json::IfSet, &FieldRules::checkAddress},
        {u"path"_s, Value::Text, &H::path, Json::IfSet, &FieldRules::checkPath},
        {u"arch"_s, Value::Text, &H::arch, Json::IfSet},
        {u"roles"_s, Value::List, &H::roles, Json::Always},
        {u"description"_s, Value::Text, &H::description, Json::IfSet},
        {u"transport"_s, Value::Custom, {}, Json::Custom},
        {u"ssh_key"_s, Value::Text, &H::sshKey, Json::IfSet, &FieldRules::checkPath},
        {u"known_hosts"_s, Value::Text, &H::knownHosts, Json::IfSet, &FieldRules::checkPath},
        {u"max_parallel"_s, Value::Count, &H::maxParallel, Json::Always, nullptr, 1, 64},
        {u"status"_s, Value::Ignored, {}},
        {u"resources"_s, Value::Ignored, {}},
        {u"notes"_s, Value::Ignored, {}},
        {u"tags"_s, Value::Ignored, {}},
    };
    return table;
}

const Table<Service> &serviceFields()
{
    using S = Service;
    const Rule path = &FieldRules::checkPath;
    static const Table<Service> table = {
        {u"current_host"_s, Value::Text, &S::currentHost, Json::Always},
        {u"deployment_type"_s, Value::Custom, {}, Json::Custom},
        {u"port"_s, Value::Port, &S::port, Json::Custom}, // the snapshot keeps the effective port
        {u"hostname"_s, Value::Text, &S::hostname, Json::IfSet, &FieldRules::checkHostname},
        {u"healthcheck_url"_s, Value::Text, &S::healthcheckUrl, Json::IfSet},
        {u"healthcheck_command"_s, Value::Text, &S::healthcheckCommand, Json::IfSet},
        {u"dependencies"_s, Value::List, &S::dependencies, Json::Custom}, // with service.yml's
        {u"docker_compose"_s, Value::Text, &S::dockerCompose, Json::IfSet, path},
        {u"service_file"_s, Value::Text, &S::serviceFilePath, Json::IfSet, path},
        {u"service_name"_s, Value::Text, &S::serviceName, Json::IfSet, &FieldRules::checkName},
        {u"working_dir"_s, Value::Text, &S::workingDir, Json::IfSet, path},
        {u"python_manager"_s, Value::Text, &S::pythonManager, Json::IfSet},
        {u"restart_command"_s, Value::Text, &S::restartCommand, Json::IfSet},
        {u"tls_cert"_s, Value::Text, &S::tlsCert, Json::IfSet, path},
        {u"tls_key"_s, Value::Text, &S::tlsKey, Json::IfSet, path},
        {u"ca_cert"_s, Value::Text, &S::caCert, Json::IfSet, path},
        {u"platform"_s, Value::Text, &S::platform, Json::IfSet},
        {u"tags"_s, Value::List, &S::tags, Json::Always},
        {u"description"_s, Value::Text, &S::description, Json::IfSet},
        {u"notes"_s, Value::Text, &S::notes, Json::Never},
        {u"command"_s, Value::Text, &S::command, Json::IfSet},
        {u"source"_s, Value::Text, &S::source, Json::IfSet, path},
        {u"env"_s, Value::EnvMap, &S::env, Json::IfSet},
        {u"env_file"_s, Value::Text, &S::envFile, Json::IfSet, path},
        {u"secrets"_s, Value::EnvMap, &S::secrets, Json::IfSet}, // references, never values
        {u"health"_s, Value::Custom, {}, Json::Custom},
        {u"heal"_s, Value::Custom, {}, Json::Custom},
        {u"stop_timeout"_s, Value::Duration, &S::stopTimeoutSeconds, Json::Always},
    };
    return table;
}

const Table<HealthCheck> &healthFields()
{
    using C = HealthCheck;
    static const Table<HealthCheck> table = {
        {u"type"_s, Value::Custom, {}, Json::Custom},
        {u"path"_s, Value::Text, &C::path, Json::Always},
        {u"port"_s, Value::Port, &C::port, Json::IfSet},
        {u"command"_s, Value::Text, &C::command, Json::IfSet},
        {u"interval"_s, Value::Custom, &C::intervalSeconds, Json::Always}, // sets the watch's too
        {u"timeout"_s, Value::Duration, &C::timeoutSeconds, Json::Always},
        {u"retries"_s, Value::Count, &C::retries, Json::Always, nullptr, 0, 1000},
        {u"start_period"_s, Value::Duration, &C::startPeriodSeconds, Json::Always},
        // only when set: older snapshots stay comparable
        {u"min_uptime"_s, Value::Duration, &C::minUptimeSeconds, Json::IfSet},
    };
    return table;
}

const Table<HealPolicy> &healFields()
{
    using P = HealPolicy;
    static const Table<HealPolicy> table = {
        {u"enabled"_s, Value::Flag, &P::enabled, Json::Always},
        {u"max_restarts"_s, Value::Count, &P::maxRestarts, Json::Always, nullptr, 0, 1000},
        {u"window"_s, Value::Custom, &P::windowSeconds, Json::Always}, // at least one second
        {u"kill_port_holder"_s, Value::Flag, &P::killPortHolder, Json::Never},
    };
    return table;
}

const Table<ServiceFile> &serviceFileFields()
{
    using F = ServiceFile;
    static const Table<ServiceFile> table = {
        {u"name"_s, Value::Ignored, {}},
        {u"hostname"_s, Value::Ignored, {}},
        {u"type"_s, Value::Ignored, {}},
        {u"port"_s, Value::Custom, &F::port, Json::IfSet}, // or the first of `ports`
        {u"ports"_s, Value::Custom, {}},
        {u"start"_s, Value::Text, &F::start, Json::IfSet},
        {u"stop"_s, Value::Text, &F::stop, Json::IfSet},
        {u"restart"_s, Value::Text, &F::restart, Json::IfSet},
        {u"status"_s, Value::Text, &F::status, Json::IfSet},
        {u"healthcheck"_s, Value::Text, &F::healthcheck, Json::IfSet},
        {u"env_file"_s, Value::Text, &F::envFile, Json::IfSet},
        {u"working_dir"_s, Value::Text, &F::workingDir, Json::IfSet},
        {u"dependencies"_s, Value::Custom, {}}, // a list, or a mapping of name to reason
        {u"environment"_s, Value::EnvMap, &F::environment, Json::Never},
        {u"docker_compose_file"_s, Value::Ignored, {}},
        {u"notes"_s, Value::Ignored, {}},
        {u"description"_s, Value::Ignored, {}},
    };
    return table;
}

const QStringList &topLevelKeys()
{
    static const QStringList keys = {
        u"domain"_s,  u"hosts"_s,        u"services"_s,      u"caddy"_s,   u"dns"_s,
        u"include"_s, u"coordinator"_s,  u"notifications"_s, u"version"_s, u"schema"_s,
        u"notes"_s,   u"last_updated"_s, u"description"_s};
    return keys;
}

const QStringList &includedFileKeys()
{
    static const QStringList keys = {u"hosts"_s,  u"services"_s, u"include"_s,
                                     u"domain"_s, u"version"_s,  u"last_updated"_s,
                                     u"schema"_s, u"notes"_s,    u"description"_s};
    return keys;
}

const QStringList &caddyKeys()
{
    static const QStringList keys = {u"host"_s,        u"ingress_host"_s,  u"admin_endpoint"_s,
                                     u"admin_api"_s,   u"http_port"_s,     u"https_port"_s,
                                     u"config_path"_s, u"use_admin_api"_s, u"email"_s};
    return keys;
}

const QStringList &notificationKeys()
{
    static const QStringList keys = {u"type"_s,   u"url"_s,      u"url_secret"_s,
                                     u"events"_s, u"smtp"_s,     u"from"_s,
                                     u"to"_s,     u"username"_s, u"password_secret"_s};
    return keys;
}

const QStringList &coordinatorKeys()
{
    static const QStringList keys = {u"url"_s};
    return keys;
}

const QStringList &dnsKeys()
{
    static const QStringList keys = {u"host"_s, u"ingress_ip"_s, u"config_path"_s,
                                     u"resolver_path"_s};
    return keys;
}

namespace {

int editDistance(const QString &a, const QString &b)
{
    QList<int> row(b.size() + 1);
    std::iota(row.begin(), row.end(), 0);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

} // namespace

QString nearest(const QString &word, const QStringList &known)
{
    QString best;
    int bestDistance = 3; // further than two edits is not a typo
    for (const QString &candidate : known) {
        const int d = editDistance(word, candidate);
        if (d < bestDistance) {
            bestDistance = d;
            best = candidate;
        }
    }
    return best;
}

} // namespace Portoser::RegistrySchema
