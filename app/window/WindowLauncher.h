// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Portoser::WindowLauncher {

/**
 * Opens the first window and runs the application. With `coordinator` (--connect URL) the window
 * works through that coordinator, or Portoser says why it cannot and exits 1. Without it, a
 * registry that names its coordinator (`coordinator: {url: …}`) is used through that
 * coordinator when it answers — unless `local` (--local) — and on this computer otherwise, the
 * status bar saying why.
 */
int run(const QString &registry, const QString &coordinator, bool local);

} // namespace Portoser::WindowLauncher
