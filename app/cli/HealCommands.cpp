// SPDX-License-Identifier: Apache-2.0
#include "app/cli/HealCommands.h"

#include "app/cli/TextTable.h"
#include "core/deploy/StateJson.h"
#include "core/heal/HealJson.h"
#include "core/runtime/HealLoop.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {

const QCommandLineOption OnceOption(u"once"_s, u"Run one pass and exit (the default)."_s);
const QCommandLineOption WatchOption(u"watch"_s,
                                     u"Run in the foreground, each service at its interval."_s);
const QCommandLineOption
    IntervalOption(u"interval"_s,
                   u"--watch: check every service this often (default: its health.interval)."_s,
                   u"SECONDS"_s);
const QCommandLineOption LimitOption(u"limit"_s, u"events: at most N (default 50)."_s, u"N"_s,
                                     u"50"_s);
const QCommandLineOption ServiceOption(u"service"_s, u"record: the service it happened to."_s,
                                       u"NAME"_s);
const QCommandLineOption ActionOption(u"action"_s, u"record: the Portoser action that fixed it."_s,
                                      u"ACTION"_s);
const QCommandLineOption
    CommandOption(u"command"_s,
                  u"record: the command that fixed it, run on the host ({placeholders} allowed)."_s,
                  u"COMMAND"_s);

QString kib(qint64 kb)
{
    if (kb < 0)
        return u"?"_s;
    if (kb >= 1024 * 1024)
        return u"%1 GiB"_s.arg(double(kb) / (1024.0 * 1024.0), 0, 'f', 1);
    return u"%1 MiB"_s.arg(kb / 1024);
}

QString hostLine(const HostState &h)
{
    if (!h.reachable)
        return u"%1  UNREACHABLE  %2"_s.arg(h.host, h.error);
    QString line = u"%1  %2 %3  round trip %4 ms"_s.arg(h.host, h.os, h.arch).arg(h.roundTripMs);
    if (h.diskUsedPct >= 0)
        line += u"  disk %1% used (%2 free)"_s.arg(h.diskUsedPct).arg(kib(h.diskAvailKb));
    if (h.inodeUsedPct >= 0)
        line += u"  inodes %1%"_s.arg(h.inodeUsedPct);
    if (h.memTotalKb > 0)
        line += u"  memory %1 of %2 free"_s.arg(kib(h.memAvailKb), kib(h.memTotalKb));
    if (h.swapTotalKb > 0)
        line += u"  swap %1 used"_s.arg(kib(h.swapTotalKb - h.swapFreeKb));
    if (h.load1 >= 0)
        line += u"  load %1"_s.arg(h.load1);
    if (!h.docker.isEmpty())
        line += u"  docker "_s + h.docker;
    return line;
}

QJsonArray issuesJson(const IssueList &issues)
{
    QJsonArray a;
    for (const Issue &i : issues)
        a.append(i.toString());
    return a;
}

void printPlaybookIssues(CliContext &context, const IssueList &issues)
{
    for (const Issue &i : issues)
        context.err() << i.toString() << " (playbook not used)\n";
}

/** Checks every name is a service of the registry; prints the error and returns false if not. */
bool knownServices(CliContext &context, const Registry &registry, const QStringList &names)
{
    for (const QString &name : names) {
        if (!registry.services.contains(name)) {
            context.printError(registry.unknownService(name));
            return false;
        }
    }
    return true;
}

} // namespace

// ---- observe ----------------------------------------------------------------------------------

CommandSpec ObserveCommand::spec() const
{
    CommandSpec s{
        u"observe"_s,
        u"[SERVICE|HOST...]"_s,
        u"Observe hosts and services in one round trip per host (all when none are named)."_s,
        u"For a host: reachability, round trip, OS and arch, disk and inode use of its base path,\n"
        "memory, swap, load, TCP listeners and the docker daemon where docker services live.\n"
        "For a service: state, pid, uptime, health (one check), starts since its release was\n"
        "deployed, and for a dead one its exit status, recent exits and last log lines.\n"
        "Exit status: 0 when every host answered and every service is well, stopped or not\n"
        "deployed; 3 when some hosts or services are in trouble; 1 when all are."_s,
        {}};
    s.usesHosts = true;
    return s;
}

int ObserveCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    QStringList services, hosts;
    for (const QString &name : args.positionalArguments()) {
        if (registry->services.contains(name))
            services.append(name);
        else if (registry->hosts.contains(name))
            hosts.append(name);
        else {
            context.printError(
                u"\"%1\" is neither a service nor a host in %2"_s.arg(name, registry->path));
            return Failed;
        }
    }
    for (const QString &host : hosts) {
        for (const Service &s : registry->services) {
            if (s.currentHost == host && !services.contains(s.name))
                services.append(s.name);
        }
    }
    if (args.positionalArguments().isEmpty()) {
        services = registry->services.keys();
        hosts = registry->hosts.keys();
    }
    const QList<HostState> observed =
        context.orchestrator().observe(*registry, services, hosts, true);
    // Trouble counts per thing observed: an unreachable host, and each service not fine.
    qsizetype things = 0, troubled = 0;
    for (const HostState &h : observed) {
        ++things;
        troubled += !h.reachable;
        for (const ServiceState &s : h.services) {
            ++things;
            troubled += !s.isFine();
        }
    }
    const int exitCode = troubled == 0 ? Ok : troubled == things ? Failed : PartlyFailed;
    if (context.json()) {
        QJsonArray items;
        for (const HostState &h : observed)
            items.append(toJson(h));
        context.printJson(items);
        return exitCode;
    }
    for (const HostState &h : observed) {
        context.out() << hostLine(h) << '\n';
        if (h.services.isEmpty())
            continue;
        TextTable table({u"  SERVICE"_s, u"STATE"_s, u"HEALTH"_s, u"PID"_s, u"UPTIME"_s,
                         u"STARTS"_s, u"LAST EXIT"_s, u"PORT"_s});
        for (const ServiceState &s : h.services) {
            const Service *service = registry->service(s.service);
            QString port = u"-"_s;
            if (const auto p = service ? service->effectivePort() : std::nullopt) {
                const auto holder = h.listeners.constFind(*p);
                const bool ours = holder != h.listeners.cend() && isOwnListener(s, *holder);
                port =
                    holder == h.listeners.cend() ? u"%1 free"_s.arg(*p)
                    : ours
                        ? u"%1 (pid %2)"_s.arg(*p).arg(holder->pid)
                        : u"%1 held by pid %2 (%3)"_s.arg(*p).arg(holder->pid).arg(holder->command);
            }
            table.addRow({u"  "_s + s.service, s.state, s.health.isEmpty() ? u"-"_s : s.health,
                          s.pid ? QString::number(s.pid) : u"-"_s,
                          s.uptimeSeconds ? u"%1s"_s.arg(s.uptimeSeconds) : u"-"_s,
                          QString::number(s.starts),
                          s.exitStatus
                              ? u"status %1, %2 recent"_s.arg(*s.exitStatus).arg(s.recentExits)
                              : u"-"_s,
                          port});
        }
        table.print(context.out());
        for (const ServiceState &s : h.services) {
            for (const QString &line : s.logTail)
                context.out() << "  " << s.service << " log: " << line << '\n';
        }
    }
    return exitCode;
}

// ---- diagnose ---------------------------------------------------------------------------------

CommandSpec DiagnoseCommand::spec() const
{
    CommandSpec s{
        u"diagnose"_s,
        u"[SERVICE...]"_s,
        u"Problems, evidence, health score and the playbook that would run (runs none)."_s,
        u"Fingerprints: process_dead, crash_loop, port_held, stale_pid, disk_full,\n"
        "dependency_unhealthy, host_unreachable, ssh_denied, docker_down,\n"
        "health_failing. Exit status 0 when every service named is healthy, 1 when a\n"
        "problem was found."_s,
        {}};
    s.usesHosts = true;
    return s;
}

int DiagnoseCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    const QStringList names = args.positionalArguments().isEmpty() ? registry->services.keys()
                                                                   : args.positionalArguments();
    if (!knownServices(context, *registry, names))
        return Failed;
    auto result = context.orchestrator().diagnose(*registry, names);
    if (!result) {
        context.printError(result.error().message);
        return Failed;
    }
    bool problems = false;
    QJsonArray items;
    for (const QString &name : names) {
        const ServiceDiagnosis d = result->diagnosis.services.value(name);
        const QList<Playbook> playbooks = result->playbooks.value(name);
        const HealState heal = result->healState.value(name);
        problems |= !d.healthy();
        if (context.json()) {
            items.append(HealJson::diagnosis(d, playbooks, heal));
            continue;
        }
        QTextStream &out = context.out();
        out << name << " on " << d.host << ": " << d.observed.state
            << (d.observed.health.isEmpty() ? QString() : u", "_s + d.observed.health) << ", score "
            << d.score << '\n';
        if (heal.givenUpAt)
            out << "  GIVEN UP: " << heal.givenUpReason << '\n';
        for (qsizetype i = 0; i < d.problems.size(); ++i) {
            const Problem &p = d.problems.at(i);
            out << "  " << p.fingerprint << " (" << p.confidence << "%): " << p.summary << '\n';
            for (const QString &e : p.evidence)
                out << "    evidence: " << e << '\n';
            const Playbook pb = playbooks.value(i);
            if (!pb.name.isEmpty())
                out << "    playbook: " << pb.name << " [" << pb.origin << "]: " << pb.stepsText()
                    << '\n';
        }
    }
    if (context.json())
        context.printJson(items);
    printPlaybookIssues(context, result->playbookIssues);
    return problems ? Failed : Ok;
}

// ---- heal -------------------------------------------------------------------------------------

CommandSpec HealCommand::spec() const
{
    CommandSpec s{
        u"heal"_s,
        u"[--once | --watch [--interval S]] [SERVICE...] | events [SERVICE] [--limit N]"_s,
        u"Run the self-healing loop: observe, analyze, fix what it recognises, learn."_s,
        u"--once runs one pass over the services (all with heal enabled when none are named) and\n"
        "prints what it did; --watch keeps going, checking each service at its health.interval\n"
        "(default 10 s), until interrupted. Restarts are history records with actor healer and\n"
        "count against heal.max_restarts per heal.window; when the budget is spent the service\n"
        "is given up until an operator deploys, starts or restarts it.\n"
        "events lists what the healer saw and did, newest first."_s,
        {OnceOption, WatchOption, IntervalOption, LimitOption}};
    s.usesHosts = true;
    return s;
}

int HealCommand::events(CliContext &context, const QCommandLineParser &args, const QString &service)
{
    bool ok = false;
    const int limit = args.value(LimitOption).toInt(&ok);
    if (!ok || limit < 1)
        return context.usageError(u"--limit needs a positive number"_s);
    auto events = context.orchestrator().healEvents(service, limit);
    if (!events) {
        context.printError(events.error().message);
        return Failed;
    }
    if (context.json()) {
        QJsonArray items;
        for (const HealEvent &e : *events)
            items.append(toJson(e));
        context.printJson(items);
        return Ok;
    }
    for (const HealEvent &e : *events)
        context.out() << toText(e) << '\n';
    return Ok;
}

int HealCommand::watch(CliContext &context, const Registry &registry,
                       const QCommandLineParser &args, const QStringList &services)
{
    int interval = 0;
    if (args.isSet(IntervalOption)) {
        bool ok = false;
        interval = args.value(IntervalOption).toInt(&ok);
        if (!ok || interval < 1)
            return context.usageError(u"--interval needs a positive number of seconds"_s);
    }
    Registry watched = registry;
    int enabled = 0;
    for (Service &s : watched.services) {
        s.heal.enabled = s.heal.enabled && (services.isEmpty() || services.contains(s.name));
        enabled += s.heal.enabled;
    }
    if (enabled == 0) {
        context.printError(u"no service to watch: heal is disabled for all of them"_s);
        return Failed;
    }
    if (const auto held = HealLoop::heldByCoordinator(registry)) {
        context.printError(u"not watching: "_s + *held);
        return Failed;
    }
    HealLoop loop(context.orchestrator().settings(), watched);
    loop.setIntervalOverride(interval);
    QObject::connect(&loop, &HealLoop::event, &loop, [&context](const HealEvent &e) {
        if (context.json())
            context.out() << QJsonDocument(toJson(e)).toJson(QJsonDocument::Compact) << '\n';
        else
            context.out() << toText(e) << '\n';
        context.out().flush();
    });
    // With --json each pass also reports its size and duration (what bench/heal measures).
    if (context.json())
        QObject::connect(&loop, &HealLoop::passFinished, &loop,
                         [&context](int observed, int problems, qint64 ms) {
                             const QJsonObject pass{{u"services"_s, observed},
                                                    {u"problems"_s, problems},
                                                    {u"ms"_s, ms}};
                             context.out() << QJsonDocument(QJsonObject{{u"pass"_s, pass}})
                                                  .toJson(QJsonDocument::Compact)
                                           << '\n';
                             context.out().flush();
                         });
    else
        context.out() << "watching " << enabled << " services; interrupt to stop\n";
    context.out().flush();
    loop.start();
    return QCoreApplication::exec();
}

int HealCommand::run(CliContext &context, const QCommandLineParser &args)
{
    QStringList names = args.positionalArguments();
    if (names.value(0) == u"events"_s) {
        if (names.size() > 2)
            return context.usageError(u"events takes at most one SERVICE"_s);
        return events(context, args, names.value(1));
    }
    if (args.isSet(OnceOption) && args.isSet(WatchOption))
        return context.usageError(u"choose --once or --watch"_s);
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    if (!knownServices(context, *registry, names))
        return Failed;
    if (args.isSet(WatchOption))
        return watch(context, *registry, args, names);
    HealOptions options;
    options.services = names;
    auto report = context.orchestrator().heal(*registry, options);
    if (!report) {
        context.printError(report.error().message);
        return Failed;
    }
    int failed = 0, givenUp = 0;
    for (const HealAction &a : report->actions) {
        failed += a.outcome == u"failed"_s;
        givenUp += a.outcome == u"given_up"_s;
    }
    if (context.json()) {
        QJsonArray actions, events, services;
        for (const HealAction &a : report->actions)
            actions.append(toJson(a));
        for (const HealEvent &e : report->events)
            events.append(toJson(e));
        for (const ServiceDiagnosis &d : report->diagnosis.services)
            services.append(toJson(d));
        context.printJson(QJsonObject{{u"observe_ms"_s, report->observeMs},
                                      {u"services"_s, services},
                                      {u"actions"_s, actions},
                                      {u"events"_s, events},
                                      {u"playbook_issues"_s, issuesJson(report->playbookIssues)}});
    } else {
        int unhealthy = 0;
        for (const ServiceDiagnosis &d : report->diagnosis.services)
            unhealthy += !d.healthy();
        context.out() << report->diagnosis.services.size() << " services observed in "
                      << report->observeMs << " ms, " << unhealthy << " with problems, "
                      << report->actions.size() << " actions\n";
        for (const HealAction &a : report->actions)
            context.out() << "  " << a.service << ": " << a.fingerprint << " → " << a.step << ": "
                          << a.outcome
                          << (a.detail.isEmpty() ? QString() : u" ("_s + a.detail + u')') << '\n';
        printPlaybookIssues(context, report->playbookIssues);
    }
    return failed || givenUp ? Failed : Ok;
}

// ---- learn ------------------------------------------------------------------------------------

CommandSpec LearnCommand::spec() const
{
    CommandSpec s{
        u"learn"_s,
        u"record FINGERPRINT --service S (--action A | --command C) | stats | playbooks | "
        "insights SERVICE"_s,
        u"The knowledge base: what happened, which fixes worked, how long recovery took."_s,
        u"record     note a fix you made by hand; the same fix recorded twice becomes a playbook\n"
        "           the healer uses for that fingerprint (before the built-in one)\n"
        "stats      per fingerprint and playbook: occurrences, worked, failed, mean time to "
        "recover\n"
        "playbooks  every playbook: operator files, learned fixes and built-ins, with their "
        "counts\n"
        "insights   one service's history of problems and fixes"_s,
        {ServiceOption, ActionOption, CommandOption}};
    s.usesHosts = true;
    return s;
}

int LearnCommand::record(CliContext &context, const QCommandLineParser &args,
                         const QStringList &words)
{
    if (words.size() != 1)
        return context.usageError(u"record takes one FINGERPRINT"_s);
    if (args.isSet(ActionOption) == args.isSet(CommandOption))
        return context.usageError(u"record needs --action ACTION or --command COMMAND"_s);
    PlaybookStep step;
    step.action = args.value(ActionOption);
    step.command = args.value(CommandOption);
    auto learned = context.orchestrator().learn(words.first(), args.value(ServiceOption), {step});
    if (!learned) {
        context.printError(learned.error().message);
        return Failed;
    }
    if (context.json()) {
        QJsonObject o = toJson(learned->playbook);
        o.insert(u"frequency"_s, learned->frequency);
        context.printJson(o);
    } else {
        context.out() << "recorded " << learned->playbook.name << " (" << learned->frequency
                      << (learned->frequency == 1 ? " time" : " times") << ")\n";
    }
    return Ok;
}

int LearnCommand::stats(CliContext &context)
{
    auto rows = context.orchestrator().knowledge();
    if (!rows) {
        context.printError(rows.error().message);
        return Failed;
    }
    if (context.json()) {
        QJsonArray items;
        for (const KnowledgeRow &r : *rows)
            items.append(HealJson::knowledge(r));
        context.printJson(items);
        return Ok;
    }
    TextTable table({u"FINGERPRINT"_s, u"PLAYBOOK"_s, u"SEEN/RUN"_s, u"WORKED"_s, u"FAILED"_s,
                     u"MEAN RECOVERY"_s});
    for (const KnowledgeRow &r : *rows)
        table.addRow(
            {r.fingerprint, r.playbook.isEmpty() ? u"(occurrences)"_s : r.playbook,
             QString::number(r.occurrences), QString::number(r.worked), QString::number(r.failed),
             r.worked ? u"%1 s"_s.arg(double(r.meanRecoverMs()) / 1000.0, 0, 'f', 1) : u"-"_s});
    table.print(context.out());
    return Ok;
}

int LearnCommand::playbooks(CliContext &context)
{
    auto all = context.orchestrator().playbooks();
    if (!all) {
        context.printError(all.error().message);
        return Failed;
    }
    if (context.json()) {
        QJsonArray items;
        for (const PlaybookInfo &p : *all) {
            QJsonObject o = toJson(p.playbook);
            o.insert(u"runs"_s, p.stats.occurrences);
            o.insert(u"worked"_s, p.stats.worked);
            o.insert(u"failed"_s, p.stats.failed);
            o.insert(u"frequency"_s, p.frequency);
            items.append(o);
        }
        context.printJson(items);
        return Ok;
    }
    TextTable table({u"PLAYBOOK"_s, u"FINGERPRINT"_s, u"ORIGIN"_s, u"RUNS"_s, u"WORKED"_s,
                     u"RECORDED"_s, u"STEPS"_s});
    for (const PlaybookInfo &p : *all)
        table.addRow({p.playbook.name, p.playbook.fingerprint, p.playbook.origin,
                      QString::number(p.stats.occurrences), QString::number(p.stats.worked),
                      p.frequency ? QString::number(p.frequency) : u"-"_s, p.playbook.stepsText()});
    table.print(context.out());
    return Ok;
}

int LearnCommand::insights(CliContext &context, const QString &service)
{
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    auto insights = context.orchestrator().insights(*registry, service);
    if (!insights) {
        context.printError(insights.error().message);
        return Failed;
    }
    if (context.json()) {
        context.printJson(toJson(*insights));
        return Ok;
    }
    context.out() << service << ": " << insights->actions << " healer actions, given up "
                  << insights->givenUp << " times" << (insights->downNow ? ", down now" : "")
                  << '\n';
    for (const FingerprintInsight &f : insights->fingerprints)
        context.out() << "  " << f.fingerprint << ": " << f.occurrences << " times, recovered "
                      << f.recovered << ", mean time to recover "
                      << double(f.meanRecoverMs) / 1000.0 << " s\n";
    return Ok;
}

int LearnCommand::run(CliContext &context, const QCommandLineParser &args)
{
    QStringList words = args.positionalArguments();
    if (words.isEmpty())
        return context.usageError(u"say what: record, stats, playbooks or insights SERVICE"_s);
    const QString what = words.takeFirst();
    if (what == u"record"_s)
        return record(context, args, words);
    if (!words.isEmpty() && what != u"insights"_s)
        return context.usageError(u"%1 takes no arguments"_s.arg(what));
    if (what == u"stats"_s)
        return stats(context);
    if (what == u"playbooks"_s)
        return playbooks(context);
    if (what == u"insights"_s) {
        if (words.size() != 1)
            return context.usageError(u"insights takes one SERVICE"_s);
        return insights(context, words.first());
    }
    return context.usageError(u"unknown learn command \"%1\""_s.arg(what));
}

} // namespace Portoser::Cli
