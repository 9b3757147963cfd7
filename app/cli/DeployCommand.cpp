// SPDX-License-Identifier: Apache-2.0
#include "app/cli/DeployCommand.h"

#include "app/cli/HistoryJson.h"
#include "app/cli/TextTable.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMutex>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {

const QCommandLineOption DryRunOption(u"dry-run"_s, u"Show the plan (no-op/fresh/restart/update/move and the config "
                                                    "diff) without changing any host."_s);
const QCommandLineOption AllOption(u"all"_s, u"Deploy every service (the default when none is named)."_s);
const QCommandLineOption ForceOption(u"force"_s, u"Restart services the plan finds up to date."_s);
const QCommandLineOption NoAutoHealOption(u"no-auto-heal"_s, u"Do not run the healer around this deploy."_s);

QJsonObject planJson(const PlannedService &p)
{
    QJsonObject o{{u"service"_s, p.service},   {u"host"_s, p.host},        {u"action"_s, toString(p.action)},
                  {u"why"_s, p.why},           {u"wave"_s, p.wave + 1},    {u"release"_s, p.release.id},
                  {u"live_release"_s, p.liveRelease}, {u"config_diff"_s, QJsonArray::fromStringList(p.configDiff)}};
    if (!p.fromHost.isEmpty())
        o.insert(u"from_host"_s, p.fromHost);
    return o;
}

} // namespace

CommandSpec DeployCommand::spec() const
{
    CommandSpec s{u"deploy"_s,
                  u"[SERVICE...] | HOST SERVICE... [HOST SERVICE...]"_s,
                  u"Deploy services (and what they depend on) to their hosts, health-gated, reverting on failure."_s,
                  u"Services deploy in dependency waves; hosts work in parallel, one host's services in order.\n"
                  "A service whose release, config and process are unchanged is left alone (no-op).\n"
                  "Exit status: 0 all succeeded, 1 all failed, 3 some failed."_s,
                  {DryRunOption, AllOption, ForceOption, NoAutoHealOption}};
    s.usesHosts = true;
    return s;
}

int DeployCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    // Plain service names, or the upstream form where a host name is followed by its services.
    QStringList services;
    QString host;
    for (const QString &word : args.positionalArguments()) {
        if (registry->services.contains(word)) {
            const QString registered = registry->service(word)->currentHost;
            if (!host.isEmpty() && registered != host)
                return context.usageError(u"%1 runs on %2 in the registry, not on %3; move it with "
                                          "'portoser --cli move %1 --to %3'"_s.arg(word, registered, host));
            services.append(word);
        } else if (registry->hosts.contains(word)) {
            host = word;
        } else {
            return context.usageError(u"\"%1\" is neither a service nor a host in %2"_s.arg(word, registry->path));
        }
    }
    if (!host.isEmpty() && services.isEmpty())
        for (const Service *s : registry->servicesOn(host))
            services.append(s->name);

    Orchestrator &orchestrator = context.orchestrator();
    auto plan = orchestrator.planDeploy(*registry, services, args.isSet(ForceOption));
    if (!plan) {
        context.printError(plan.error().message);
        return Failed;
    }
    if (args.isSet(DryRunOption)) {
        if (context.json()) {
            QJsonArray items;
            for (const PlannedService &p : plan->services)
                items.append(planJson(p));
            context.printJson(QJsonObject{{u"fingerprint"_s, plan->fingerprint}, {u"services"_s, items}});
            return Ok;
        }
        TextTable table({u"WAVE"_s, u"SERVICE"_s, u"HOST"_s, u"ACTION"_s, u"WHY"_s});
        for (const PlannedService &p : plan->services)
            table.addRow({QString::number(p.wave + 1), p.service, p.host, toString(p.action), p.why});
        table.print(context.out());
        for (const PlannedService &p : plan->services) {
            if (p.configDiff.isEmpty())
                continue;
            context.out() << "\n" << p.service << " config:\n";
            for (const QString &line : p.configDiff)
                context.out() << "  " << line << '\n';
        }
        return Ok;
    }

    DeployOptions options;
    options.actor = CliContext::actor();
    options.force = args.isSet(ForceOption);
    return report(context, orchestrator.deploy(*registry, *plan, options, progressPrinter(context)));
}

ProgressFn DeployCommand::progressPrinter(CliContext &context)
{
    auto printing = std::make_shared<QMutex>(); // progress arrives from the host workers
    return [&context, printing](const DeployProgress &p) {
        if (context.json())
            return;
        QMutexLocker lock(printing.get());
        context.err() << "[" << p.service << "@" << p.host << "] " << p.step;
        if (!p.detail.isEmpty())
            context.err() << ": " << p.detail;
        context.err() << '\n';
        context.err().flush();
    };
}

int DeployCommand::report(CliContext &context, const Result<QList<DeploymentRecord>> &records)
{
    if (!records) {
        context.printError(records.error().message);
        return Failed;
    }
    int failed = 0;
    for (const DeploymentRecord &r : *records)
        failed += r.outcome != u"succeeded"_s;
    if (context.json()) {
        QJsonArray items;
        for (const DeploymentRecord &r : *records)
            items.append(HistoryJson::summary(r));
        context.printJson(QJsonObject{{u"deployed"_s, items}, {u"failed"_s, failed}});
    } else if (records->isEmpty()) {
        context.out() << "Nothing to do: every service is up to date and running.\n";
    } else {
        TextTable table({u"SERVICE"_s, u"HOST"_s, u"ACTION"_s, u"OUTCOME"_s, u"TIME"_s, u"RECORD"_s, u"REASON"_s});
        for (const DeploymentRecord &r : *records)
            table.addRow({r.service, r.host, r.action, r.outcome, u"%1 s"_s.arg(double(r.durationMs()) / 1000.0, 0, 'f', 1),
                          QString::number(r.id), r.reason.section(u'\n', 0, 0)});
        table.print(context.out());
    }
    if (failed == 0)
        return Ok;
    return failed == records->size() ? Failed : PartlyFailed;
}

} // namespace Portoser::Cli
