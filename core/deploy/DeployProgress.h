// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/history/DeploymentRecord.h"

#include <QString>
#include <QStringView>

#include <functional>
#include <optional>

namespace Portoser {

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

} // namespace Portoser
