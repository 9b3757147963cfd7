// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <chrono>
#include <memory>

namespace Portoser {

struct Host;
struct SshTarget;
class Transport;

/** What a host offers before anything is trusted (the host wizard shows it for confirmation). */
struct HostKeyOffer
{
    enum class Known {
        Yes,    // known_hosts lists this key for the host
        No,     // not listed yet: the operator confirms the fingerprint
        Changed // listed with another key: refused, as every connection refuses it
    };
    QString fingerprint; // "ED25519 SHA256:..."
    Known known = Known::No;
    QString knownHostsFile;
};

/** Whether a host key that known_hosts does not list yet may be trusted on first use. */
enum class HostKeyPolicy {
    Strict,
    AcceptNew
};

/** How transports are made for hosts: the one place that decides SSH or local. */
struct TransportSettings
{
    HostKeyPolicy hostKeyPolicy = HostKeyPolicy::Strict;
    std::chrono::milliseconds connectTimeout{10000};

    std::unique_ptr<Transport> make(const Host &host) const;
    /** How `host` is reached over SSH with these settings. */
    SshTarget sshTarget(const Host &host) const;
};

} // namespace Portoser
