// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QString>

#include <chrono>
#include <functional>

namespace Portoser {

/** What one remote script produced. A non-zero exit code is a result, not a transport error. */
struct CommandResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    bool truncated = false; // output beyond the bound was read and dropped
    qint64 elapsedMs = 0;
};

/** Receives output as it arrives, for long steps and `logs -f`. */
using OutputSink = std::function<void(const QByteArray &chunk, bool isStderr)>;
/** Receives an upload's progress: bytes the host has taken so far, of `total`. */
using UploadProgress = std::function<void(qint64 sent, qint64 total)>;

/**
 * How the coordinator talks to one host: run POSIX sh scripts and copy files. Implemented over SSH
 * (libssh) and locally for this machine, with the same behaviour. Not thread-safe: one worker owns
 * one transport (a libssh session never changes thread).
 */
class Transport
{
public:
    static constexpr std::chrono::milliseconds DefaultTimeout{60000};
    /**
     * A network step that moves no byte for this long has stalled (a link that went down keeps
     * TCP retrying for many minutes): it fails and the connection is dropped, to be made anew by
     * the next use. $PORTOSER_STALL_SECONDS overrides it (tests use a few seconds).
     */
    static constexpr std::chrono::milliseconds DefaultStallTimeout{30000};

    virtual ~Transport() = default;

    /** Connects if needed (connect, verify the host key, authenticate, start the shell). */
    virtual Result<void> connect() = 0;
    /**
     * Runs `script` in the host's resident shell (in a subshell, stdin from /dev/null). Fails with
     * Timeout when it does not finish in time, Unreachable when the host is lost.
     */
    virtual Result<CommandResult> run(const QString &script,
                                      std::chrono::milliseconds timeout = DefaultTimeout,
                                      const OutputSink &sink = {}) = 0;
    /**
     * Copies a file or a directory tree to `remotePath`, keeping permission bits. Fails with
     * Unreachable when it stalls (see DefaultStallTimeout).
     */
    virtual Result<void> upload(const QString &localPath, const QString &remotePath,
                                const UploadProgress &progress = {}) = 0;
    virtual void disconnect() = 0;
    /** "ssh root@10.0.0.1:22" or "local", for messages. */
    virtual QString describe() const = 0;
    /**
     * A job begins now; it was queued at `queuedAt` (its HostWorker says so before each job). A
     * job that waited while a connection attempt failed gets that attempt's answer at once rather
     * than waiting out a timeout of its own; a failure during its own run is not its answer.
     */
    virtual void beginJob(std::chrono::steady_clock::time_point /*queuedAt*/) {}

    /** "<os> <arch>" as the first deploy through this transport found it (`uname -sm`); later
     *  deploys reuse it rather than start a process for it each time. Empty until then. */
    QString platform;
    /** docker: how this host runs compose, as the first docker deploy through this transport
     *  found it: "v2" (the `docker compose` plugin) or "v1" (docker-compose). Empty until then;
     *  never "none" (it may be installed before the next deploy). */
    QString composeCli;
    /** Whether this host's curl runs an observation's http checks in one batch (7.75+: "1"),
     *  or not ("0"), as its first observation with two checks found; empty until then. */
    QString curlBatch;
};

} // namespace Portoser
