// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/ReleaseBuilder.h"
#include "core/deploy/ServiceState.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace Portoser {

/** What a deploy will do to one service. */
enum class PlanAction {
    NoOp,
    Fresh,
    Restart,
    Update,
    Move
};

QString toString(PlanAction action);

struct PlannedService
{
    QString service;
    QString host;
    QString fromHost; // for a move: where it runs now
    PlanAction action = PlanAction::NoOp;
    QString why; // one line for people
    Release release;
    QJsonObject config; // the resolved config this deploy installs
    QStringList configDiff;
    QString liveRelease; // what the host runs now, as observed
    QString liveState;   // running | stopped | dead | ..., as observed
    int wave = 0;
    bool releaseMustBeOnHost = false; // a rollback: never upload, the release must still be there
    /** A start or restart of what is deployed: its config snapshot and release (never uploaded)
     *  run again, and the host's env file is kept (it holds that deploy's secrets): nothing is
     *  rendered or fetched again. */
    bool rerun = false;
    bool requested = false; // named by the caller, not pulled in as a dependency
};

/** What the caller asks of the services it names. One planner serves every caller. */
enum class PlanIntent {
    Deploy,  // bring them (and what they need) to what the registry says
    Restart, // run again exactly what is deployed, on the release it is on
    Start    // start them on the release they are on, when they are not running
};

QString toString(PlanIntent intent);

/** What to plan: the services named and how to treat them and their dependencies. */
struct PlanRequest
{
    PlanIntent intent = PlanIntent::Deploy;
    QStringList services; // Deploy: all when empty
    bool force = false;   // Deploy: restart the named services even when they are up to date
    /** Restart/Start: dependencies that are not running are started too (at the release they
     *  are on, never re-released); without it they are only named in the plan's notes. */
    bool withDependencies = false;
};

/** A reviewed list of changes; a deploy may apply it only while nothing it depends on changed. */
struct DeployPlan
{
    PlanRequest request;            // what was asked: applying plans it again to compare
    QList<PlannedService> services; // in deploy order (wave by wave)
    /** What the operator should know before it runs: a dependency left alone that is not
     *  running, a registry edit a restart does not apply. */
    QStringList notes;
    QString fingerprint; // of the registry and the observed state the plan saw
    QDateTime createdAt;
    /** The hosts with their facts, when the plan gathered them for a heal right before its
     *  deploy (which then needs no look of its own). Not saved with the plan. */
    QList<HostState> observed;

    bool hasChanges() const;

    /** The plan as JSON, to review, save and apply later (`deploy --save-plan` / `--plan`). */
    QJsonObject toJson() const;
    static Result<DeployPlan> fromJson(const QJsonObject &json);
};

} // namespace Portoser
