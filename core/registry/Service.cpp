// SPDX-License-Identifier: Apache-2.0
#include "core/registry/Service.h"

namespace Portoser {

QStringList Service::allDependencies() const
{
    QStringList all = dependencies;
    if (serviceFile) {
        for (const QString &dep : serviceFile->dependencies) {
            if (!all.contains(dep))
                all.append(dep);
        }
    }
    return all;
}

std::optional<int> Service::effectivePort() const
{
    if (port)
        return port;
    return serviceFile ? serviceFile->port : std::nullopt;
}

QString toString(DeploymentType type)
{
    switch (type) {
    case DeploymentType::Process:
        return QStringLiteral("process");
    case DeploymentType::Local:
        return QStringLiteral("local");
    case DeploymentType::Native:
        return QStringLiteral("native");
    case DeploymentType::Docker:
        return QStringLiteral("docker");
    }
    return {};
}

std::optional<DeploymentType> deploymentTypeFromString(const QString &text)
{
    for (DeploymentType t : {DeploymentType::Process, DeploymentType::Local, DeploymentType::Native,
                             DeploymentType::Docker}) {
        if (toString(t) == text)
            return t;
    }
    return std::nullopt;
}

} // namespace Portoser
