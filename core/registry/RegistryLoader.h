// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/registry/Interpolator.h"
#include "core/registry/Registry.h"

namespace Portoser {

/**
 * Reads a registry.yml (the upstream Portoser format plus our extensions) into a Registry.
 * It resolves `include:` files and globs, expands `${VAR}` references, loads service.yml files
 * that live beside the registry, and reports every structural problem at once with its
 * file:line:column. It never throws and never stops at the first problem. Semantic checks
 * (references, cycles, port clashes, unsafe values) are RegistryValidator's.
 */
class RegistryLoader
{
public:
    /** Whether `include:` and `service_file` may be read from this machine's files. A registry
     *  someone posted is checked with None: the request carries all there is to read. */
    enum class FileAccess {
        Allowed,
        None
    };
    /** Included files, service files and the registry itself are read up to this size, and
     *  only when they are regular files (not a FIFO, a device or a directory). */
    static constexpr qint64 MaxFileBytes = 8 << 20;

    explicit RegistryLoader(Interpolator::Lookup environment = Interpolator::processEnvironment(),
                            FileAccess files = FileAccess::Allowed);

    CheckedRegistry load(const QString &path) const;
    /** Parses `yaml` as if it were the file `virtualPath` (includes resolve beside it). */
    CheckedRegistry loadFromText(const QByteArray &yaml, const QString &virtualPath) const;
    /** Reads a service.yml fetched from a host; the first error, with its place, on failure. */
    Result<ServiceFile> parseServiceFile(const QByteArray &yaml, const QString &path) const;

private:
    Interpolator::Lookup m_environment;
    FileAccess m_files;
};

} // namespace Portoser
