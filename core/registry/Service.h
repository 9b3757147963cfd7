// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Issue.h"

#include <QHash>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace Portoser {

enum class DeploymentType {
    Process,
    Local,
    Native,
    Docker
};

/** How Portoser decides that a started service is healthy. */
struct HealthCheck
{
    enum class Type {
        Auto,
        Http,
        Tcp,
        Command
    };

    Type type = Type::Auto; // Auto: derive from healthcheck_url/healthcheck_command/port
    QString path = QStringLiteral("/");
    std::optional<int> port;
    QString command;
    int intervalSeconds = 2;       // between health-gate attempts after the first quick ones
    int watchIntervalSeconds = 10; // between the watchdog's checks; `interval` sets both
    int timeoutSeconds = 5;
    int retries = 15;
    int startPeriodSeconds = 0;
    /** How long a started process must stay alive before its gate passes. Unset: 3 s for a
     *  service with neither a port nor a check (its only sign of life), 0 otherwise. */
    std::optional<int> minUptimeSeconds;
    static constexpr int DefaultMinUptimeSeconds = 3;
};

/** Limits on what the healer may do to one service. */
struct HealPolicy
{
    bool enabled = true;
    int maxRestarts = 5;
    int windowSeconds = 600;
    bool killPortHolder = false; // a playbook may kill a foreign process that holds the port
};

/** The upstream `service.yml`: commands and settings kept beside a service's code. */
struct ServiceFile
{
    QString path; // as resolved on the coordinator
    QString start;
    QString stop;
    QString restart;
    QString status;
    QString healthcheck;
    std::optional<int> port;
    QString envFile;
    QString workingDir;
    QStringList dependencies;
    QMap<QString, QString> environment;
};

/** A service as the registry (and its service.yml, when found) describes it. */
struct Service
{
    static constexpr int DefaultStopTimeoutSeconds = 10;

    QString name;
    QString currentHost;
    DeploymentType type = DeploymentType::Process;
    std::optional<int> port;
    QString hostname;
    QString healthcheckUrl;
    QString healthcheckCommand;
    QStringList dependencies;
    QString dockerCompose;
    QString serviceFilePath;
    std::optional<ServiceFile> serviceFile; // loaded when the file is on the coordinator
    QString serviceName;
    QString workingDir;
    QString pythonManager;
    QString restartCommand;
    QString tlsCert;
    QString tlsKey;
    QString caCert;
    QString platform;
    QStringList tags;
    QString description;
    QString notes;
    QString command;
    QString source;
    QMap<QString, QString> env;
    QString envFile;
    QMap<QString, QString> secrets; // VAR -> secret reference, never a value
    HealthCheck health;
    HealPolicy heal;
    int stopTimeoutSeconds = DefaultStopTimeoutSeconds;

    SourceLocation location;
    QHash<QString, SourceLocation> fields;
    QSet<QString> invalidFields; // written but unreadable; the loader already reported them

    SourceLocation where(const QString &field) const { return fields.value(field, location); }
    /** Registry dependencies plus those of the service.yml, without repeats. */
    QStringList allDependencies() const;
    /** The port the service listens on: its own, else its service.yml's. */
    std::optional<int> effectivePort() const;
};

QString toString(DeploymentType type);
std::optional<DeploymentType> deploymentTypeFromString(const QString &text);

} // namespace Portoser
