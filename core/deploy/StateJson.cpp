// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/StateJson.h"

#include <QJsonArray>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

QJsonObject toJson(const ServiceState &s)
{
    QJsonObject o{{u"service"_s, s.service},
                  {u"host"_s, s.host},
                  {u"state"_s, s.state},
                  {u"health"_s, s.health},
                  {u"release"_s, s.release},
                  {u"pid"_s, s.pid},
                  {u"uptime_seconds"_s, s.uptimeSeconds},
                  {u"error"_s, s.error}};
    if (!s.healthDetail.isEmpty())
        o.insert(u"health_detail"_s, s.healthDetail);
    if (s.stalePid)
        o.insert(u"stale_pid"_s, true);
    if (s.zombie)
        o.insert(u"zombie"_s, true);
    if (s.exitStatus)
        o.insert(u"exit_status"_s, *s.exitStatus);
    if (s.exitAt)
        o.insert(u"exit_at"_s, s.exitAt);
    o.insert(u"recent_exits"_s, s.recentExits);
    o.insert(u"starts"_s, s.starts);
    if (!s.logTail.isEmpty())
        o.insert(u"log_tail"_s, QJsonArray::fromStringList(s.logTail));
    if (!s.stoppedBy.isEmpty())
        o.insert(u"stopped_by"_s, s.stoppedBy);
    if (!s.containerState.isEmpty()) {
        o.insert(u"container_state"_s, s.containerState);
        o.insert(u"container_restarts"_s, s.containerRestarts);
    }
    if (s.oomKilled)
        o.insert(u"oom_killed"_s, true);
    if (!s.dockerError.isEmpty())
        o.insert(u"docker_error"_s, s.dockerError);
    if (!s.healer.isEmpty()) {
        QJsonObject healer{{u"state"_s, s.healer}, {u"detail"_s, s.healerDetail}};
        if (s.healerUntil)
            healer.insert(u"until"_s, s.healerUntil);
        o.insert(u"healer"_s, healer);
    }
    return o;
}

QJsonObject toJson(const HostState &h)
{
    QJsonObject listeners;
    for (auto it = h.listeners.cbegin(); it != h.listeners.cend(); ++it)
        listeners.insert(
            QString::number(it.key()),
            QJsonObject{{u"pid"_s, it->pid}, {u"pgid"_s, it->pgid}, {u"command"_s, it->command}});
    QJsonArray services;
    for (const ServiceState &s : h.services)
        services.append(toJson(s));
    const auto optional = [](qint64 v) { return v < 0 ? QJsonValue() : QJsonValue(v); };
    return {{u"host"_s, h.host},
            {u"reachable"_s, h.reachable},
            {u"error"_s, h.error},
            {u"round_trip_ms"_s, h.roundTripMs},
            {u"os"_s, h.os},
            {u"arch"_s, h.arch},
            {u"disk_used_pct"_s, optional(h.diskUsedPct)},
            {u"disk_avail_kb"_s, optional(h.diskAvailKb)},
            {u"inode_used_pct"_s, optional(h.inodeUsedPct)},
            {u"mem_total_kb"_s, optional(h.memTotalKb)},
            {u"mem_avail_kb"_s, optional(h.memAvailKb)},
            {u"swap_total_kb"_s, optional(h.swapTotalKb)},
            {u"swap_free_kb"_s, optional(h.swapFreeKb)},
            {u"load1"_s, h.load1 < 0 ? QJsonValue() : QJsonValue(h.load1)},
            {u"docker"_s, h.docker},
            {u"listeners"_s, listeners},
            {u"services"_s, services}};
}

ServiceState serviceStateFromJson(const QJsonObject &o)
{
    ServiceState s;
    s.service = o.value(u"service"_s).toString();
    s.host = o.value(u"host"_s).toString();
    s.state = o.value(u"state"_s).toString(s.state);
    s.health = o.value(u"health"_s).toString();
    s.healthDetail = o.value(u"health_detail"_s).toString();
    s.release = o.value(u"release"_s).toString();
    s.pid = o.value(u"pid"_s).toInteger();
    s.uptimeSeconds = o.value(u"uptime_seconds"_s).toInteger();
    s.error = o.value(u"error"_s).toString();
    s.stalePid = o.value(u"stale_pid"_s).toBool();
    s.zombie = o.value(u"zombie"_s).toBool();
    if (o.contains(u"exit_status"_s))
        s.exitStatus = o.value(u"exit_status"_s).toInt();
    s.exitAt = o.value(u"exit_at"_s).toInteger();
    s.recentExits = o.value(u"recent_exits"_s).toInt();
    s.starts = o.value(u"starts"_s).toInt();
    for (const QJsonValue &line : o.value(u"log_tail"_s).toArray())
        s.logTail.append(line.toString());
    s.stoppedBy = o.value(u"stopped_by"_s).toString();
    s.containerState = o.value(u"container_state"_s).toString();
    s.containerRestarts = o.value(u"container_restarts"_s).toInt();
    s.oomKilled = o.value(u"oom_killed"_s).toBool();
    s.dockerError = o.value(u"docker_error"_s).toString();
    const QJsonObject healer = o.value(u"healer"_s).toObject();
    s.healer = healer.value(u"state"_s).toString();
    s.healerDetail = healer.value(u"detail"_s).toString();
    s.healerUntil = healer.value(u"until"_s).toInteger();
    return s;
}

HostState hostStateFromJson(const QJsonObject &o)
{
    HostState h;
    h.host = o.value(u"host"_s).toString();
    h.reachable = o.value(u"reachable"_s).toBool();
    h.error = o.value(u"error"_s).toString();
    h.roundTripMs = o.value(u"round_trip_ms"_s).toInteger();
    h.os = o.value(u"os"_s).toString();
    h.arch = o.value(u"arch"_s).toString();
    h.diskUsedPct = o.value(u"disk_used_pct"_s).toInt(-1);
    h.diskAvailKb = o.value(u"disk_avail_kb"_s).toInteger(-1);
    h.inodeUsedPct = o.value(u"inode_used_pct"_s).toInt(-1);
    h.memTotalKb = o.value(u"mem_total_kb"_s).toInteger(-1);
    h.memAvailKb = o.value(u"mem_avail_kb"_s).toInteger(-1);
    h.swapTotalKb = o.value(u"swap_total_kb"_s).toInteger(-1);
    h.swapFreeKb = o.value(u"swap_free_kb"_s).toInteger(-1);
    h.load1 = o.value(u"load1"_s).toDouble(-1);
    h.docker = o.value(u"docker"_s).toString();
    const QJsonObject listeners = o.value(u"listeners"_s).toObject();
    for (auto it = listeners.begin(); it != listeners.end(); ++it) {
        const QJsonObject l = it.value().toObject();
        h.listeners.insert(it.key().toInt(),
                           {l.value(u"pid"_s).toInteger(), l.value(u"pgid"_s).toInteger(),
                            l.value(u"command"_s).toString()});
    }
    for (const QJsonValue &s : o.value(u"services"_s).toArray())
        h.services.append(serviceStateFromJson(s.toObject()));
    return h;
}

QJsonObject serviceWithState(const Service &s, const ServiceState *state)
{
    const auto port = s.effectivePort();
    return {{u"name"_s, s.name},
            {u"host"_s, s.currentHost},
            {u"type"_s, toString(s.type)},
            {u"port"_s, port ? QJsonValue(*port) : QJsonValue()},
            {u"depends_on"_s, QJsonArray::fromStringList(s.allDependencies())},
            {u"status"_s, state ? QJsonValue(toJson(*state)) : QJsonValue()}};
}

} // namespace Portoser
