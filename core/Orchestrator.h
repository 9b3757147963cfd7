// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Interpolator.h"
#include "core/registry/Registry.h"

namespace Portoser {

/**
 * The one facade the GUI, `--serve` and `--cli` call. Front-ends hold no business logic: each
 * of their commands is one call here. Operations are added issue by issue (deploy, heal, ...).
 */
class Orchestrator
{
public:
    explicit Orchestrator(Interpolator::Lookup environment = Interpolator::processEnvironment());

    /** Loads `path` with its includes and runs every validation check. */
    CheckedRegistry checkRegistry(const QString &path) const;
    /** The same for a registry given as text (an upload to the API, an editor buffer). */
    CheckedRegistry checkRegistryText(const QByteArray &yaml, const QString &virtualPath) const;

private:
    Interpolator::Lookup m_environment;
};

} // namespace Portoser
