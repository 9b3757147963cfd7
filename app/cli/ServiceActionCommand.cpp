// SPDX-License-Identifier: Apache-2.0
#include "app/cli/ServiceActionCommand.h"

#include "app/cli/CoordinatorJob.h"
#include "app/cli/DeployCommand.h"
#include "core/deploy/UnitFiles.h"
#include "core/history/HistoryJson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {
const QCommandLineOption WithDependenciesOption(
    u"with-dependencies"_s,
    u"Also start what they depend on when it is not running (on the release it is on)."_s);
const QCommandLineOption LinesOption(QStringList{u"n"_s, u"lines"_s},
                                     u"How many lines (default 100)."_s, u"N"_s, u"100"_s);
const QCommandLineOption FollowOption(QStringList{u"f"_s, u"follow"_s},
                                      u"Keep printing what the service writes."_s);
} // namespace

CommandSpec RestartCommand::spec() const
{
    CommandSpec s{m_name,
                  u"SERVICE..."_s,
                  m_name == u"start"_s
                      ? u"Start stopped services on their current release, health-gated."_s
                      : u"Restart services on their current release, health-gated."_s,
                  u"Acts on exactly the services named, on the release and config they are "
                  "deployed with: a registry edit not deployed yet is not applied (the plan says "
                  "so; deploy applies it), and a rollback stays rolled back. A dependency that is "
                  "not running is named, and started first (never re-released) only with "
                  "--with-dependencies."_s,
                  {WithDependenciesOption}};
    s.usesHosts = true;
    s.throughCoordinator = true;
    return s;
}

int RestartCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const QStringList names = args.positionalArguments();
    if (names.isEmpty())
        return context.usageError(u"name the services to %1"_s.arg(m_name));
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    for (const QString &name : names) {
        if (!registry->services.contains(name))
            return context.usageError(registry->unknownService(name));
    }
    if (const auto coordinator = CoordinatorJob::here(context, *registry))
        return DeployCommand::report(
            context, CoordinatorJob::run(
                         *coordinator, u"/api/v1/restart"_s,
                         QJsonObject{{u"services"_s, QJsonArray::fromStringList(names)},
                                     {u"start"_s, m_name == u"start"_s},
                                     {u"with_dependencies"_s, args.isSet(WithDependenciesOption)}},
                         DeployCommand::progressPrinter(context)));
    DeployOptions options;
    options.actor = CliContext::actor();
    PlanRequest request{m_name == u"start"_s ? PlanIntent::Start : PlanIntent::Restart, names};
    request.withDependencies = args.isSet(WithDependenciesOption);
    auto records = context.orchestrator().restart(*registry, request, options,
                                                  DeployCommand::progressPrinter(context));
    return DeployCommand::report(context, records);
}

namespace {
const QCommandLineOption ToOption(u"to"_s, u"The host to move to."_s, u"HOST"_s);
const QCommandLineOption MoveDryRunOption(u"dry-run"_s, u"Only check that the move is possible."_s);
} // namespace

CommandSpec MoveCommand::spec() const
{
    CommandSpec s{
        u"move"_s,
        u"SERVICE --to HOST"_s,
        u"Move a service to another host; the registry follows only when the new instance is healthy."_s,
        u"Refused when the target cannot run it: another architecture for a local/native service, "
        u"its "
        "port already taken there, an unknown host. The old instance stops after the new one "
        "passes "
        "its health gate; current_host in the registry file is then edited in place (a .bak is kept)."_s,
        {ToOption, MoveDryRunOption}};
    s.usesHosts = true;
    s.throughCoordinator = true;
    return s;
}

int MoveCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const QStringList names = args.positionalArguments();
    if (names.size() != 1 || !args.isSet(ToOption))
        return context.usageError(u"say which service and where: move SERVICE --to HOST"_s);
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    const QString service = names.first();
    const QString host = args.value(ToOption);
    if (args.isSet(MoveDryRunOption)) {
        // The move itself checks the same (and asks a host of unknown arch): this is its preview.
        if (const auto refusal = context.orchestrator().moveRefusal(*registry, service, host)) {
            context.printError(u"cannot move %1 to %2: %3"_s.arg(service, host, *refusal));
            return Failed;
        }
        if (context.json())
            context.printJson(QJsonObject{{u"service"_s, service},
                                          {u"from"_s, registry->service(service)->currentHost},
                                          {u"to"_s, host},
                                          {u"possible"_s, true}});
        else
            context.out() << service << " can move from " << registry->service(service)->currentHost
                          << " to " << host << '\n';
        return Ok;
    }
    if (const auto coordinator = CoordinatorJob::here(context, *registry))
        return DeployCommand::report(
            context, CoordinatorJob::run(*coordinator, u"/api/v1/services/%1/move"_s.arg(service),
                                         QJsonObject{{u"host"_s, host}},
                                         DeployCommand::progressPrinter(context)));
    DeployOptions options;
    options.actor = CliContext::actor();
    return DeployCommand::report(
        context, context.orchestrator().move(*registry, service, host, options,
                                             DeployCommand::progressPrinter(context)));
}

namespace {
const QCommandLineOption LaunchdOption(u"launchd"_s,
                                       u"A launchd plist (macOS) instead of a systemd unit."_s);
}

CommandSpec UnitCommand::spec() const
{
    return {
        u"unit"_s,
        u"SERVICE [--launchd]"_s,
        u"Print a systemd unit (or launchd plist) that runs the deployed release of a service."_s,
        u"For operators who want the OS service manager to supervise a service: it runs the live "
        u"release "
        "(current) with the rendered env and appends to the service's log. Install it on the host yourself."_s,
        {LaunchdOption}};
}

int UnitCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const QStringList names = args.positionalArguments();
    if (names.size() != 1)
        return context.usageError(u"name one service"_s);
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    const Service *service = registry->service(names.first());
    if (!service)
        return context.usageError(registry->unknownService(names.first()));
    if (service->command.isEmpty()) {
        context.printError(u"%1 has no command to put in a unit"_s.arg(service->name));
        return Failed;
    }
    const Host &host = *registry->host(service->currentHost);
    const bool launchd = args.isSet(LaunchdOption);
    const QString unit =
        launchd ? UnitFiles::launchdPlist(host, *service) : UnitFiles::systemdUnit(host, *service);
    if (context.json()) {
        context.printJson(QJsonObject{{u"service"_s, service->name},
                                      {u"host"_s, host.name},
                                      {u"kind"_s, launchd ? u"launchd"_s : u"systemd"_s},
                                      {u"content"_s, unit}});
        return Ok;
    }
    context.out() << unit;
    return Ok;
}

CommandSpec LogsCommand::spec() const
{
    CommandSpec s{u"logs"_s,
                  u"SERVICE [-n N] [-f]"_s,
                  u"Show the end of a service's log, from its host."_s,
                  QString(),
                  {LinesOption, FollowOption}};
    s.usesHosts = true;
    return s;
}

int LogsCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const QStringList names = args.positionalArguments();
    if (names.size() != 1)
        return context.usageError(u"name one service"_s);
    bool ok = false;
    const int lines = args.value(LinesOption).toInt(&ok);
    if (!ok || lines < 0)
        return context.usageError(u"-n needs a number"_s);
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    if (!registry->services.contains(names.first()))
        return context.usageError(registry->unknownService(names.first()));
    QTextStream &out = context.out();
    const bool json = context.json();
    const QString service = names.first();
    // With --json, -f prints one JSON object a line as lines arrive (JSON Lines).
    QByteArray partial;
    const auto sink = [&](const QByteArray &chunk, bool isStderr) {
        if (isStderr)
            return;
        if (!json) {
            out << QString::fromUtf8(chunk);
            out.flush();
            return;
        }
        partial += chunk;
        qsizetype nl;
        while ((nl = partial.indexOf('\n')) >= 0) {
            const QJsonObject line{{u"service"_s, service},
                                   {u"line"_s, QString::fromUtf8(partial.left(nl))}};
            partial.remove(0, nl + 1);
            out << QJsonDocument(line).toJson(QJsonDocument::Compact) << '\n';
            out.flush();
        }
    };
    const bool follow = args.isSet(FollowOption);
    auto result = context.orchestrator().logs(*registry, service, lines, follow,
                                              follow ? OutputSink(sink) : OutputSink());
    if (!partial.isEmpty()) // a last line without its newline
        sink("\n", false);
    if (!result) {
        context.printError(result.error().message);
        return Failed;
    }
    if (!follow) {
        if (json) {
            QStringList text = QString::fromUtf8(*result).split(u'\n');
            if (!text.isEmpty() && text.last().isEmpty())
                text.removeLast();
            context.printJson(QJsonObject{{u"service"_s, service},
                                          {u"host"_s, registry->service(service)->currentHost},
                                          {u"lines"_s, QJsonArray::fromStringList(text)}});
        } else {
            out << QString::fromUtf8(*result);
        }
    }
    return Ok;
}

} // namespace Portoser::Cli
