// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/HostWorker.h"
#include "core/registry/Registry.h"

#include <QMap>

#include <memory>

namespace Portoser {

/** The HostWorkers of one registry, made on first use and kept (with their sessions) after. */
class HostPool
{
public:
    explicit HostPool(TransportSettings settings = {})
        : m_settings(settings)
    {}

    HostWorker &worker(const Host &host);
    const TransportSettings &settings() const { return m_settings; }

private:
    TransportSettings m_settings;
    std::map<QString, std::unique_ptr<HostWorker>> m_workers;
};

} // namespace Portoser
