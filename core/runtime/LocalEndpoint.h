// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Portoser::LocalEndpoint {

/**
 * Where a `--serve` for `registryPath` answers this machine's own CLI: a Unix socket only its
 * user can open (a 0700 directory under $PORTOSER_HOME/run, or /tmp/portoser-<uid> when that
 * path would be too long for a socket). One per registry (its canonical path), so a CLI finds
 * the coordinator of the registry it was given and no other.
 */
QString socketPath(const QString &registryPath);

} // namespace Portoser::LocalEndpoint
