// SPDX-License-Identifier: Apache-2.0
#pragma once

// The desktop window lives in a module of its own (portoser-window.so), loaded by `portoser` only
// when it opens a window: `--cli` and `--serve` never map Qt's GUI and widget libraries, their
// fonts, X11 or OpenGL. This is the one function the binary calls in it.

/** The symbol `portoser` looks up in the module. */
#define PORTOSER_WINDOW_ENTRY "portoser_window_main"

extern "C" {
/** Opens the window and runs the application; returns its exit code. `registry` and
 *  `coordinator` are UTF-8, empty when not given; `local` is --local. */
using PortoserWindowMain = int (*)(int argc, char **argv, const char *registry,
                                   const char *coordinator, int local);
}
