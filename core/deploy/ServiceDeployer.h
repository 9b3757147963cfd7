// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/DeployPlan.h"
#include "core/deploy/RemoteScripts.h"
#include "core/history/DeploymentRecord.h"
#include "core/registry/Host.h"
#include "core/registry/Service.h"

#include <QElapsedTimer>

#include <chrono>
#include <functional>
#include <optional>

namespace Portoser {

class Transport;

/** A step of a deploy as progress reports it: what the host scripts announce (`step=…`), how a
 *  service's deploy ends, and what the workflow says around it. */
enum class DeployStep {
    Prepare,
    Upload,
    Build,
    Stop,
    Switch,
    Start,
    Health,
    Revert,
    Prune,
    Done,
    Failed,
    RolledBack,
    Skipped,
    Cancelled,
    Plan,      // what runs beyond what was named, and why
    Heal,      // what the healer did before a deploy
    Diagnosis, // why a service that failed did
    Proxy,     // a moved service's route
    Note
};
/** Its name, as the CLI prints it, the window shows it and job JSON carries it ("prepare", …,
 *  "rolled back", "note"): the one name table. */
QString toString(DeployStep step);
std::optional<DeployStep> deployStepFromString(QStringView name);
/** The step that reports a service's end with `outcome`. */
DeployStep endStep(Outcome outcome);

/** Progress of a running deploy, one line per step as it happens (any thread). */
struct DeployProgress
{
    QString service;
    QString host;
    DeployStep step = DeployStep::Note;
    QString detail;

    /** The step that ends a service's deploy well. */
    bool succeeded() const { return step == DeployStep::Done; }
    /** A step that ends it otherwise: failed, rolled back, skipped (a dependency failed) or
     *  cancelled before it started. */
    bool failed() const
    {
        return step == DeployStep::Failed || step == DeployStep::RolledBack
               || step == DeployStep::Skipped || step == DeployStep::Cancelled;
    }
};
using ProgressFn = std::function<void(const DeployProgress &)>;

/** What the deploy of one service on its host produced. */
struct ServiceRun
{
    Outcome outcome = Outcome::Failed; // Succeeded, Failed or RolledBack
    QString reason;
    QString releaseId;
    QString previousReleaseId;
    QList<StepRecord> steps;
    QString detectedArch; // "amd64-linux", as the host said on first contact of this deploy
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
