// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Portoser {

/** A service as observed on its host: what `status` prints and what the healer reasons about. */
struct ServiceState
{
    QString service;
    QString host;
    QString state =
        QStringLiteral("unknown"); // running | stopped | dead | not_deployed | unreachable
    QString release;
    qint64 pid = 0;
    qint64 uptimeSeconds = 0;
    qint64 startedAt = 0; // epoch seconds of the last start, running or not
    QString health;       // healthy | unhealthy | "" when not running
    QString healthDetail; // the last line a failing check printed
    QString error;        // why the host could not be asked

    // Evidence about a dead service, from the host's records of its starts and exits.
    bool stalePid = false; // the pid file names a live process of another process group
    bool zombie = false;
    std::optional<int> exitStatus; // of the last exit (128+N: killed by signal N)
    qint64 exitAt = 0;             // epoch seconds
    int recentExits = 0;           // exits within the observation's window
    int starts = 0;                // starts since the release was deployed
    QStringList logTail;
    QString stoppedBy; // Portoser stopped it itself, and why (a start that failed its gate)
    // docker: what the engine says of the service's containers.
    QString containerState;    // running | restarting | exited | created | paused | dead | missing
    bool oomKilled = false;    // the kernel killed its container for lack of memory
    int containerRestarts = 0; // restarts by docker's own restart policy
    QString dockerError;       // the docker daemon did not answer (its CLI's last words)

    // Where the healer stands with it (from the heal state, not the host): "given_up" (with why),
    // "backing_off" (until healerUntil), or "" when it is not holding back.
    QString healer;
    QString healerDetail;
    qint64 healerUntil = 0; // epoch seconds: no restart before then

    /** Running and healthy, or stopped on purpose, or not deployed yet: nothing wrong to report
     *  (`status` exits 0 only when every service it shows is so). */
    bool isFine() const
    {
        return healer.isEmpty()
               && (isWell() || state == QLatin1String("stopped")
                   || state == QLatin1String("not_deployed"));
    }

    /** Running and not failing its health check: what the GUI counts as up, and notifies the
     *  end of. */
    bool isWell() const
    {
        return state == QLatin1String("running") && health != QLatin1String("unhealthy");
    }
};

/** A process listening on a TCP port of a host. */
struct PortListener
{
    qint64 pid = 0;
    qint64 pgid = 0;
    QString command;
};

/** Whether `listener` belongs to `service`: its own process or one of its process group. */
inline bool isOwnListener(const ServiceState &service, const PortListener &listener)
{
    return service.pid > 0 && (listener.pgid == service.pid || listener.pid == service.pid);
}

/** A host as observed in one round trip: its own state and its services'. */
struct HostState
{
    QString host;
    bool reachable = false;
    std::optional<ErrorCode> errorCode;
    QString error;
    qint64 roundTripMs = 0; // the whole observation, connect included when it had to connect
    QString os, arch;
    int diskUsedPct = -1;
    qint64 diskAvailKb = -1;
    int inodeUsedPct = -1;
    qint64 memTotalKb = -1, memAvailKb = -1, swapTotalKb = -1, swapFreeKb = -1;
    double load1 = -1;
    QString docker; // up | down | "" when no docker service lives there
    QMap<int, PortListener> listeners;
    QList<ServiceState> services;
};

} // namespace Portoser
