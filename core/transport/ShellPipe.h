// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QByteArray>

namespace Portoser {

/** A byte pipe to a running `sh`: its stdin, and its stdout and stderr kept apart. */
class ShellPipe
{
public:
    struct Chunk
    {
        QByteArray data;
        bool isStderr = false;
        bool eof = false; // the shell is gone
    };

    virtual ~ShellPipe() = default;
    virtual Result<void> start() = 0;
    virtual bool isAlive() const = 0;
    /** Writes all of `bytes`, giving up after `timeoutMs` (Timeout) or a stall (Unreachable). */
    virtual Result<void> write(const QByteArray &bytes, int timeoutMs) = 0;
    /** Waits up to `timeoutMs` for output; an empty chunk without eof means nothing came. */
    virtual Chunk read(int timeoutMs) = 0;
    virtual void stop() = 0;
};

} // namespace Portoser
