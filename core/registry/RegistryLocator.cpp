// SPDX-License-Identifier: Apache-2.0
#include "core/registry/RegistryLocator.h"

#include <QDir>
#include <QFileInfo>

namespace Portoser {

RegistryLocator RegistryLocator::fromProcess(const QString &explicitPath)
{
    return {explicitPath, qEnvironmentVariable("PORTOSER_REGISTRY"), QDir::currentPath(),
            QDir::homePath()};
}

QStringList RegistryLocator::candidates() const
{
    if (!explicitPath.isEmpty())
        return {explicitPath};
    if (!environment.isEmpty())
        return {environment};
    return {QDir(workingDir).filePath(QStringLiteral("registry.yml")),
            QDir(homeDir).filePath(QStringLiteral(".portoser/registry.yml"))};
}

QString RegistryLocator::resolve() const
{
    const QStringList places = candidates();
    for (const QString &place : places) {
        if (QFileInfo::exists(place))
            return place;
    }
    return places.first(); // the loader then reports that it cannot be read
}

} // namespace Portoser
