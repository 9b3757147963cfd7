// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringList>

namespace Portoser {

/**
 * `portoser --serve`: the headless coordinator. Until the API issue (#5) lands it loads and
 * checks the registry, then idles until SIGTERM/SIGINT; it never needs a display.
 */
class ServeRunner
{
public:
    /** `args` are the words after `--serve`. Returns the exit code. */
    int run(const QStringList &args);
};

} // namespace Portoser
