// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/DeployPlan.h"
#include "core/history/DeploymentRecord.h"
#include "core/registry/Host.h"
#include "core/registry/Service.h"

#include <functional>

namespace Portoser {

class Transport;

/** Progress of a running deploy, one line per step as it happens (any thread). */
struct DeployProgress
{
    QString service;
    QString host;
    QString step; // prepare | upload | build | stop | switch | start | health | revert | prune |
                  // done | ...
    QString detail;

    /** The step that ends a service's deploy well. */
    bool succeeded() const { return step == QLatin1String("done"); }
    /** A step that ends it otherwise: failed, rolled back, skipped (a dependency failed) or
     *  cancelled before it started. */
    bool failed() const
    {
        return step == QLatin1String("failed") || step == QLatin1String("rolled back")
               || step == QLatin1String("skipped") || step == QLatin1String("cancelled");
    }
};
using ProgressFn = std::function<void(const DeployProgress &)>;

/** What the deploy of one service on its host produced. */
struct ServiceRun
{
    QString outcome; // succeeded | failed | rolled_back
    QString reason;
    QString releaseId;
    QString previousReleaseId;
    QList<StepRecord> steps;
    QString detectedArch; // "amd64-linux", as the host said on first contact of this deploy
};

/**
 * The deploy of one service on one host (DESIGN.md §4), run on that host's worker thread:
 * prepare and lock (one round trip), upload when the host lacks the release, then one
 * activation script (env, stop, switch, start, health gate, revert, prune, unlock).
 */
namespace ServiceDeployer {

/** The config a deploy installs: the resolved service plus where it goes. */
QJsonObject snapshot(const Service &service, const Host &host, const Release &release);

/** `secretValues`: the service's secrets (VAR -> value), written only into its env file. */
ServiceRun run(Transport &transport, const Host &host, const Service &service,
               const PlannedService &planned, const QMap<QString, QString> &secretValues,
               const ProgressFn &progress);

} // namespace ServiceDeployer

} // namespace Portoser
