// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/transport/Transport.h"
#include "core/transport/TransportSettings.h"

#include <memory>

namespace Portoser {

/** Everything needed to reach one host over SSH. */
struct SshTarget
{
    QString hostName; // the registry name, for messages
    QString address;  // ssh_hostname or ip
    int port = 22;
    QString user;       // empty: the coordinator's user
    QString keyFile;    // empty: ssh-agent, then the user's default keys
    QString knownHosts; // empty: ~/.ssh/known_hosts
    HostKeyPolicy hostKeyPolicy = HostKeyPolicy::Strict;
    std::chrono::milliseconds connectTimeout{10000};
    // No progress for this long fails a step (0: $PORTOSER_STALL_SECONDS, else the default).
    std::chrono::milliseconds stallTimeout{0};
};

/**
 * The Transport over SSH (libssh): one session per host, verified host key, key or agent auth,
 * TCP_NODELAY and keepalive, one resident `sh` on a session channel for every script, SFTP for
 * files, or the resident shell where the host has no SFTP. A session found dead before a script
 * is sent is reconnected once, transparently; a stalled upload drops it.
 */
class SshTransport : public Transport
{
public:
    explicit SshTransport(SshTarget target);
    ~SshTransport() override;
    Q_DISABLE_COPY_MOVE(SshTransport)

    Result<void> connect() override;
    /** Connects far enough to see the host's key (no login). */
    static Result<HostKeyOffer> offeredHostKey(const SshTarget &target);
    /** Records the host's key in known_hosts, only if it still is `fingerprint` (the one the
     *  operator confirmed: a key swapped in between is refused). */
    static Result<void> trustHostKey(const SshTarget &target, const QString &fingerprint);
    Result<CommandResult> run(const QString &script,
                              std::chrono::milliseconds timeout = DefaultTimeout,
                              const OutputSink &sink = {}) override;
    Result<void> upload(const QString &localPath, const QString &remotePath,
                        const UploadProgress &progress = {}) override;
    void disconnect() override;
    QString describe() const override;
    void beginJob(std::chrono::steady_clock::time_point queuedAt) override;

    /** How many times a session was established (1 plus transparent reconnects), for tests. */
    int connectCount() const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace Portoser
