// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Portoser::WindowModuleLoader {

/**
 * Loads the window's module (app/window/WindowModule.h) from beside this binary — the build
 * tree — or from its installed place (../lib/portoser, or ../PlugIns in a macOS bundle), and
 * runs the window. When the module cannot be loaded, says where it looked and why on stderr and
 * returns 1.
 */
int run(int argc, char **argv, const QString &registry, const QString &coordinator, bool local);

} // namespace Portoser::WindowModuleLoader
