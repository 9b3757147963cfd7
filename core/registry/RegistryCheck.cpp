// SPDX-License-Identifier: Apache-2.0
#include "core/registry/RegistryCheck.h"

#include "core/registry/RegistryValidator.h"

#include <algorithm>
#include <tuple>

namespace Portoser::RegistryCheck {

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

CheckedRegistry file(const QString &path, const Interpolator::Lookup &environment)
{
    return validated(RegistryLoader(environment).load(path));
}

CheckedRegistry text(const QByteArray &yaml, const QString &virtualPath,
                     const Interpolator::Lookup &environment)
{
    return validated(RegistryLoader(environment).loadFromText(yaml, virtualPath));
}

CheckedRegistry posted(const QByteArray &yaml, const QString &virtualPath)
{
    const Interpolator::Lookup nothing = [](const QString &) -> std::optional<QString> {
        return std::nullopt;
    };
    return validated(
        RegistryLoader(nothing, RegistryLoader::FileAccess::None).loadFromText(yaml, virtualPath));
}

} // namespace Portoser::RegistryCheck
