// SPDX-License-Identifier: Apache-2.0
#include "app/cli/StatusCommand.h"

#include "app/cli/CoordinatorJob.h"
#include "app/cli/TextTable.h"
#include "core/deploy/StateJson.h"
#include "core/registry/DependencyGraph.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {

QString uptimeText(qint64 seconds)
{
    if (seconds <= 0)
        return u"-"_s;
    if (seconds < 120)
        return u"%1s"_s.arg(seconds);
    if (seconds < 7200)
        return u"%1m"_s.arg(seconds / 60);
    return u"%1h%2m"_s.arg(seconds / 3600).arg((seconds % 3600) / 60);
}

/** "given up (crash_loop: 3 restarts in 10m)", "backing off until 12:03:04", or "-". */
QString healerText(const ServiceState &s)
{
    if (s.healer == u"given_up"_s)
        return u"given up (%1)"_s.arg(s.healerDetail);
    if (s.healer == u"backing_off"_s)
        return u"backing off until %1"_s.arg(
            QDateTime::fromSecsSinceEpoch(s.healerUntil).toString(u"HH:mm:ss"_s));
    return u"-"_s;
}

} // namespace

CommandSpec StatusCommand::spec() const
{
    CommandSpec s{
        u"status"_s,
        u"[SERVICE...]"_s,
        u"Ask each host how its services are: state, release, pid, health and uptime."_s,
        u"States: running, stopped, dead (its process exited), not_deployed, unreachable; "
        "with what the healer holds back: given up (its restart budget is spent) or backing "
        "off until a time.\n"
        "Exit status: 0 when every service shown is running and healthy, stopped or not "
        "deployed; 3 when some are in trouble (dead, unhealthy, unreachable, given up, "
        "backing off); 1 when all are."_s,
        {}};
    s.usesHosts = true;
    return s;
}

int StatusCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    const QStringList names = args.positionalArguments();
    for (const QString &name : names) {
        if (!registry->services.contains(name)) {
            context.printError(registry->unknownService(name));
            return Failed;
        }
    }
    const QMap<QString, ServiceState> states = context.orchestrator().status(*registry, names);
    const qsizetype troubled = std::count_if(states.cbegin(), states.cend(),
                                             [](const ServiceState &s) { return !s.isFine(); });
    const int exitCode = troubled == 0 ? Ok : troubled == states.size() ? Failed : PartlyFailed;
    if (context.json()) {
        QJsonArray items;
        for (const ServiceState &s : states) {
            QJsonObject item = toJson(s);
            // Its uptime and MTTR, from the healer's events (absent when the store is
            // unreadable: status answers from the hosts, not from the store).
            if (const auto availability = context.orchestrator().availability(s.service))
                item.insert(u"availability"_s, toJson(*availability));
            items.append(item);
        }
        context.printJson(items);
        return exitCode;
    }
    // The healer's column only when it holds back with something.
    const bool healer = std::any_of(states.cbegin(), states.cend(),
                                    [](const ServiceState &s) { return !s.healer.isEmpty(); });
    QStringList headers{u"SERVICE"_s, u"HOST"_s, u"STATE"_s, u"HEALTH"_s,
                        u"RELEASE"_s, u"PID"_s,  u"UPTIME"_s};
    if (healer)
        headers.append(u"HEALER"_s);
    TextTable table(headers);
    for (const ServiceState &s : states) {
        QStringList row{s.service,
                        s.host,
                        s.state,
                        s.health.isEmpty() ? u"-"_s : s.health,
                        s.release.isEmpty() ? u"-"_s : s.release,
                        s.pid ? QString::number(s.pid) : u"-"_s,
                        uptimeText(s.uptimeSeconds)};
        if (healer)
            row.append(healerText(s));
        table.addRow(row);
    }
    table.print(context.out());
    for (const ServiceState &s : states) {
        if (!s.error.isEmpty())
            context.err() << s.service << ": " << s.error << '\n';
    }
    return exitCode;
}

CommandSpec StopCommand::spec() const
{
    CommandSpec s{u"stop"_s,
                  u"SERVICE..."_s,
                  u"Stop services: TERM to the process group, KILL after stop_timeout."_s,
                  u"Warns when a service that is not being stopped depends on one that is. A "
                  "service not deployed on its host is skipped (exit 1)."_s,
                  {}};
    s.usesHosts = true;
    s.throughCoordinator = true;
    return s;
}

int StopCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const QStringList names = args.positionalArguments();
    if (names.isEmpty())
        return context.usageError(u"name the services to stop"_s);
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    // Stopping what others need is allowed, but never silent.
    const DependencyGraph graph(*registry);
    for (const QString &name : names) {
        if (!registry->services.contains(name))
            return context.usageError(registry->unknownService(name));
        QStringList left;
        for (const QString &dependent : graph.dependentsOf(name)) {
            if (!names.contains(dependent))
                left.append(dependent);
        }
        if (!left.isEmpty())
            context.err() << "warning: " << left.join(u", "_s)
                          << (left.size() == 1 ? " depends" : " depend") << " on " << name
                          << " and may fail while it is stopped\n";
    }
    // Through the coordinator running here, when there is one: one job stops them all.
    QList<Result<DeploymentRecord>> results;
    if (const auto coordinator = CoordinatorJob::here(context, *registry)) {
        auto stopped = CoordinatorJob::run(
            *coordinator, u"/api/v1/stop"_s,
            QJsonObject{{u"services"_s, QJsonArray::fromStringList(names)}}, {});
        if (!stopped) {
            context.printError(stopped.error().message);
            return Failed;
        }
        for (const DeploymentRecord &r : std::as_const(*stopped))
            results.append(r);
    } else {
        for (const QString &name : names)
            results.append(context.orchestrator().stop(*registry, name, CliContext::actor()));
    }
    int failed = 0;
    QJsonArray items;
    for (const Result<DeploymentRecord> &record : std::as_const(results)) {
        if (!record) {
            ++failed;
            context.printError(record.error().message);
            continue;
        }
        failed += !record->succeeded();
        const QString &name = record->service;
        items.append(QJsonObject{{u"service"_s, name},
                                 {u"outcome"_s, toString(record->outcome)},
                                 {u"record"_s, record->id}});
        if (!context.json())
            context.out() << name << ": " << toString(record->outcome)
                          << (record->reason.isEmpty() ? QString()
                                                       : u" ("_s + record->reason + u')')
                          << '\n';
    }
    if (context.json())
        context.printJson(items);
    return failed == 0 ? Ok : (failed == names.size() ? Failed : PartlyFailed);
}

} // namespace Portoser::Cli
