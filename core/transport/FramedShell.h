// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/transport/ShellPipe.h"
#include "core/transport/Transport.h"

namespace Portoser {

/**
 * Runs scripts one after another in one long-lived `sh` (the agentless stand-in for a resident
 * agent: a script costs a write and a read instead of a new process or SSH channel). Each script
 * runs in a subshell with stdin from /dev/null and is followed by a unique end marker on stdout
 * carrying its exit status, and one on stderr, so both streams are complete when it returns.
 */
class FramedShell
{
public:
    static constexpr qsizetype DefaultOutputLimit = 8 * 1024 * 1024;

    explicit FramedShell(ShellPipe *pipe, qsizetype outputLimit = DefaultOutputLimit);

    /** Runs one script. On timeout or a lost shell the pipe is stopped; the next call restarts it.
     */
    Result<CommandResult> run(const QString &script, std::chrono::milliseconds timeout,
                              const OutputSink &sink);

private:
    ShellPipe *m_pipe; // not owned
    qsizetype m_outputLimit;
};

} // namespace Portoser
