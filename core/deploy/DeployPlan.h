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
};

/** A reviewed list of changes; a deploy may apply it only while nothing it depends on changed. */
struct DeployPlan
{
    QList<PlannedService> services; // in deploy order (wave by wave)
    QString fingerprint;            // of the registry and the observed state the plan saw
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
