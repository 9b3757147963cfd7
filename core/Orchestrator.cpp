// SPDX-License-Identifier: Apache-2.0
#include "core/Orchestrator.h"

#include "core/registry/RegistryLoader.h"
#include "core/registry/RegistryValidator.h"

#include <algorithm>
#include <tuple>

namespace Portoser {

namespace {

CheckedRegistry validated(CheckedRegistry loaded)
{
    loaded.issues += RegistryValidator().validate(loaded.registry);
    // Report in file order, so the output reads top to bottom like the file.
    std::stable_sort(loaded.issues.begin(), loaded.issues.end(),
                     [](const Issue &a, const Issue &b) {
                         return std::tie(a.where.file, a.where.line, a.where.column)
                                < std::tie(b.where.file, b.where.line, b.where.column);
                     });
    return loaded;
}

} // namespace

Orchestrator::Orchestrator(Interpolator::Lookup environment)
    : m_environment(std::move(environment))
{}

CheckedRegistry Orchestrator::checkRegistry(const QString &path) const
{
    return validated(RegistryLoader(m_environment).load(path));
}

CheckedRegistry Orchestrator::checkRegistryText(const QByteArray &yaml,
                                                const QString &virtualPath) const
{
    return validated(RegistryLoader(m_environment).loadFromText(yaml, virtualPath));
}

} // namespace Portoser
