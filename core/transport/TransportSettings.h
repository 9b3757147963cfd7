// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <memory>

namespace Portoser {

struct Host;
class Transport;

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
};

} // namespace Portoser
