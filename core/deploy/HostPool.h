// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/HostWorker.h"
#include "core/registry/Registry.h"

#include <QMutex>

#include <map>
#include <memory>

namespace Portoser {

/**
 * The HostWorkers of a process: one worker (its thread and its SSH session) per host, made on
 * first use and kept after. Every Orchestrator of the process with the same transport settings
 * shares one pool (`shared`), so the window's pages, `--serve`'s reads, jobs and watchdog open
 * one session per host between them, not one each. Thread-safe.
 */
class HostPool
{
public:
    explicit HostPool(TransportSettings settings = {})
        : m_settings(settings)
    {}

    /** The pool of this process for `settings`, made when the first Orchestrator asks for it and
     *  gone with the last one that holds it. */
    static std::shared_ptr<HostPool> shared(const TransportSettings &settings);

    /** The worker of `host`: one per host name and connection (address, port, user, locality,
     *  key, known_hosts), so a host whose connection changed (the registry was reloaded) gets a
     *  fresh worker while the old one stays for whoever still holds that definition. */
    HostWorker &worker(const Host &host);
    const TransportSettings &settings() const { return m_settings; }

private:
    TransportSettings m_settings;
    QMutex m_mutex;
    std::map<QString, std::unique_ptr<HostWorker>> m_workers; // by connectionKey()
};

} // namespace Portoser
