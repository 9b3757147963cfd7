// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/DeployPlan.h"
#include "core/deploy/DeployProgress.h"
#include "core/deploy/RemoteScripts.h"
#include "core/history/DeploymentRecord.h"
#include "core/registry/Host.h"
#include "core/registry/Service.h"

#include <QElapsedTimer>
#include <QMap>

#include <chrono>
#include <functional>
#include <optional>

namespace Portoser {

class Transport;

/** What the deploy of one service on its host produced. */
struct ServiceRun
{
    Outcome outcome = Outcome::Failed; // Succeeded, Failed or RolledBack
    QString reason;
    QString releaseId;
    QString previousReleaseId;
    QList<StepRecord> steps;
    QString detectedArch; // "amd64-linux", as the host said on first contact of this deploy
    QMap<QString, QString> images; // docker: compose service -> the image ID its release runs
};

/**
 * The deploy of one service on one host (docs/deploy.md), run on that host's worker thread:
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

/** One service prepared on its host (locked, its release there) and ready to activate. */
struct Staged
{
    Host host;
    QString service;
    PlannedService planned;
    Activation activation;
    std::chrono::seconds deadline{60};
    bool ready = false; // false: `run` already says why it ended
    bool rerun = false;
    ProgressFn progress;
    ServiceRun run;
    // While it activates: the output so far and the step being timed.
    QByteArray output;
    QString currentStep;
    QElapsedTimer stepClock;

    void onLine(const QByteArray &line);
    void closeStep(bool ok, const QString &stepOutput = {});
    /** Reads the activation's outcome from `output` into `run`. */
    void finish();
};

/** Prepares and uploads (steps 1-2); the activation is left for `activateTogether`. */
Staged stage(Transport &transport, const Host &host, const Service &service,
             const PlannedService &planned, const QMap<QString, QString> &secretValues,
             const ProgressFn &progress);
/** Activates the ready ones of `batch` on one host at the same time, in one round trip, so
 *  their health gates overlap. */
void activateTogether(Transport &transport, const QList<Staged *> &batch);

} // namespace ServiceDeployer

} // namespace Portoser
