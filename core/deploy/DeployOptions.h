// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <atomic>
#include <chrono>
#include <memory>

namespace Portoser {

struct DeployOptions
{
    QString actor = QStringLiteral("cli");
    bool autoHeal = true;                      // run the healer around the deploy (Orchestrator)
    bool force = false;                        // redeploy services the plan finds unchanged
    std::chrono::milliseconds lockWait{30000}; // how long to wait for another deploy of a service
    /** Set (from any thread) to start no further service: those already started finish their
     *  deploy or revert, the rest end `cancelled` without touching their hosts. */
    std::shared_ptr<const std::atomic_bool> cancel;

    bool isCancelled() const { return cancel && cancel->load(); }
};

} // namespace Portoser
