// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QString>

namespace Portoser::LocalEndpoint {

/**
 * Where a `--serve` for `registryPath` answers this machine's own CLI: a Unix socket only its
 * user can open, in a 0700 directory of that user: $PORTOSER_HOME/run, or, when that path would
 * be too long for a socket, $XDG_RUNTIME_DIR/portoser, else /tmp/portoser-<uid>. One per
 * registry (its canonical path), so a CLI finds the coordinator of the registry it was given.
 */
QString socketPath(const QString &registryPath);

/** Makes (0700) or checks the socket's directory: it must be a real directory (no symlink)
 *  owned by this user with no access for anyone else, or another user could stand in. */
Result<void> prepareDirectory(const QString &socketPath);
/** The same check without making anything, for a client about to trust what answers there. */
Result<void> checkDirectory(const QString &socketPath);

/** The uid of the process at the other end of a connected Unix socket, or -1. */
qint64 peerUid(qintptr descriptor);
/** Whether `uid` may be trusted on our side of the socket: ourselves, or root. */
bool trusted(qint64 uid);

} // namespace Portoser::LocalEndpoint
