// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Interpolator.h"
#include "core/registry/RegistryLoader.h"

namespace Portoser::RegistryCheck {

/** Loads `path` with its includes and runs every validation check; issues in file order. */
CheckedRegistry file(const QString &path, const Interpolator::Lookup &environment);
/** The same for a registry given as text (an editor buffer). */
CheckedRegistry text(const QByteArray &yaml, const QString &virtualPath,
                     const Interpolator::Lookup &environment);
/**
 * A registry someone sent (`POST /api/v1/registry/validate`), checked in a sandbox: no
 * environment of this process (every `${VAR}` without a default is unset), no file of this
 * machine (`include:` is an error, `service_file` is left to the host).
 */
CheckedRegistry posted(const QByteArray &yaml, const QString &virtualPath);

} // namespace Portoser::RegistryCheck
