// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Portoser {

/** How a record ended. Converted to and from its name only at the edges (JSON, SQL, text). */
enum class Outcome {
    Running, // not ended yet (or its coordinator died: see Interrupted)
    Succeeded,
    Failed,
    RolledBack,  // the new release failed its gate and the previous one runs again
    Interrupted, // its coordinator stopped before it ended
    Skipped,     // nothing to do, or a dependency failed first
    Cancelled    // cancelled before it reached its host
};
/** "running", "succeeded", "failed", "rolled_back", "interrupted", "skipped", "cancelled". */
QString toString(Outcome outcome);
std::optional<Outcome> outcomeFromString(QStringView name);
/** Every outcome's name, in declaration order (for filters and their validation). */
QStringList outcomeNames();

/** What a record did to its service. */
enum class RecordAction {
    Deploy,
    Move,
    Restart,
    Start,
    Stop,
    Rollback
};
/** "deploy", "move", "restart", "start", "stop", "rollback". */
QString toString(RecordAction action);
std::optional<RecordAction> recordActionFromString(QStringView name);

/** One step of a deploy as history keeps it. */
struct StepRecord
{
    QString name;
    qint64 durationMs = 0;
    bool ok = true;
    QString output; // a bounded tail, never secrets
};

/** One deploy, move, restart, stop or rollback of one service. */
struct DeploymentRecord
{
    qint64 id = 0;
    QString service;
    QString host;
    QString fromHost;
    RecordAction action = RecordAction::Deploy;
    QString actor; // cli:<user> | gui:<user> | api:<user> | mcp:<client> | healer
    QDateTime startedAt;
    QDateTime endedAt;
    Outcome outcome = Outcome::Running;
    QString reason;
    QString releaseId;
    QString previousReleaseId;
    QJsonObject config; // the resolved service as deployed (secret references, not values)
    QList<StepRecord> steps;

    qint64 durationMs() const { return endedAt.isValid() ? startedAt.msecsTo(endedAt) : 0; }
    /** Whether it installed a release that could be returned to (not a stop, not a record that
     *  never reached its host). */
    bool installedRelease() const
    {
        return !releaseId.isEmpty() && !config.isEmpty() && action != RecordAction::Stop
               && outcome != Outcome::Cancelled && outcome != Outcome::Skipped;
    }
    /** Whether `history rollback` returns to it as it is: its release passed its gate. (One that
     *  did not is a rollback with --force.) */
    bool canRollBack() const { return installedRelease() && succeeded(); }
    bool succeeded() const { return outcome == Outcome::Succeeded; }
};

} // namespace Portoser
