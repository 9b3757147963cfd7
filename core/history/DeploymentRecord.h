// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Portoser {

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
    QString action; // deploy | move | restart | stop | start | rollback
    QString actor;  // cli:<user> | gui:<user> | api:<user> | mcp:<client> | healer
    QDateTime startedAt;
    QDateTime endedAt;
    QString outcome; // running | succeeded | failed | rolled_back | interrupted | skipped
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
        return !releaseId.isEmpty() && !config.isEmpty() && action != QLatin1String("stop")
               && outcome != QLatin1String("cancelled") && outcome != QLatin1String("skipped");
    }
    /** Whether `history rollback` returns to it as it is: its release passed its gate. (One that
     *  did not is a rollback with --force.) */
    bool canRollBack() const { return installedRelease() && outcome == QLatin1String("succeeded"); }
};

} // namespace Portoser
