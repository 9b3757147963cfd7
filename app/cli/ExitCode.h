// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace Portoser::Cli {

/** What scripts can rely on, for every command. */
enum ExitCode : int {
    Ok = 0,
    Failed = 1,
    UsageError = 2,
    PartlyFailed = 3,
};

} // namespace Portoser::Cli
