// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Interpolator.h"
#include "core/registry/RegistryLoader.h"

namespace Portoser::RegistryCheck {

/** Loads `path` with its includes and runs every validation check; issues in file order. */
CheckedRegistry file(const QString &path, const Interpolator::Lookup &environment);
/** The same for a registry given as text (an upload to the API, an editor buffer). */
CheckedRegistry text(const QByteArray &yaml, const QString &virtualPath,
                     const Interpolator::Lookup &environment);

} // namespace Portoser::RegistryCheck
