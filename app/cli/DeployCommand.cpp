// SPDX-License-Identifier: Apache-2.0
#include "app/cli/DeployCommand.h"

#include "app/cli/CoordinatorJob.h"
#include "app/cli/ServerClient.h"
#include "app/cli/TextTable.h"
#include "core/history/HistoryJson.h"
#include "core/runtime/JobQueue.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QSaveFile>
#include <QThread>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {

const QCommandLineOption
    DryRunOption(u"dry-run"_s, u"Show the plan (no-op/fresh/restart/update/move and the config "
                               "diff) without changing any host."_s);
const QCommandLineOption AllOption(u"all"_s,
                                   u"Deploy every service (the default when none is named)."_s);
const QCommandLineOption ChangedSecretsOption(
    u"changed-secrets"_s,
    u"Redeploy exactly the services whose secrets changed since their last deploy."_s);
const QCommandLineOption ForceOption(u"force"_s, u"Restart services the plan finds up to date."_s);
const QCommandLineOption
    SavePlanOption(u"save-plan"_s,
                   u"With --dry-run: write the plan to FILE, to apply later with --plan."_s,
                   u"FILE"_s);
const QCommandLineOption
    PlanOption(u"plan"_s,
               u"Apply the reviewed plan in FILE; refused if the registry or a host "
               "changed since it was made."_s,
               u"FILE"_s);
const QCommandLineOption NoAutoHealOption(u"no-auto-heal"_s,
                                          u"Do not run the healer around this deploy."_s);
const QCommandLineOption ServerOption(
    u"server"_s,
    u"Ask the coordinator at URL (a running --serve; default $PORTOSER_SERVER) to do it, on its "
    "open SSH sessions; the token comes from $PORTOSER_TOKEN."_s,
    u"URL"_s);

} // namespace

CommandSpec DeployCommand::spec() const
{
    CommandSpec s{
        u"deploy"_s,
        u"[SERVICE...] | HOST SERVICE... [HOST SERVICE...]"_s,
        u"Deploy services (and what they depend on) to their hosts, health-gated, reverting on failure."_s,
        u"Services deploy in dependency waves; hosts work in parallel, one host's services in "
        u"order.\n"
        "A service whose release, config and process are unchanged is left alone (no-op).\n"
        "Exit status: 0 all succeeded, 1 all failed, 3 some failed."_s,
        {DryRunOption, AllOption, ChangedSecretsOption, ForceOption, SavePlanOption, PlanOption,
         NoAutoHealOption, ServerOption}};
    s.usesHosts = true;
    s.throughCoordinator = true;
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
                return context.usageError(
                    u"%1 runs on %2 in the registry, not on %3; move it with "
                    "'portoser --cli move %1 --to %3'"_s.arg(word, registered, host));
            services.append(word);
        } else if (registry->hosts.contains(word)) {
            host = word;
        } else {
            return context.usageError(
                u"\"%1\" is neither a service nor a host in %2"_s.arg(word, registry->path));
        }
    }
    if (!host.isEmpty() && services.isEmpty())
        for (const Service *s : registry->servicesOn(host))
            services.append(s->name);

    Orchestrator &orchestrator = context.orchestrator();
    if (args.isSet(ChangedSecretsOption)) {
        if (!services.isEmpty())
            return context.usageError(u"--changed-secrets picks the services itself: name none"_s);
        auto changed = orchestrator.servicesWithChangedSecrets(*registry);
        if (!changed) {
            context.printError(changed.error().message);
            return Failed;
        }
        if (changed->isEmpty()) {
            if (context.json())
                context.printJson(QJsonObject{{u"services"_s, QJsonArray()}});
            else
                context.out() << "no service uses a secret that changed since its last deploy\n";
            return Ok;
        }
        if (!context.json())
            context.out() << "secrets changed for: " << changed->join(u", "_s) << '\n';
        services = *changed;
    }
    const QString server = args.isSet(ServerOption) ? args.value(ServerOption)
                                                    : qEnvironmentVariable("PORTOSER_SERVER");
    if (!server.isEmpty())
        return remote(context, args, ServerClient(server), services);
    // A coordinator for this registry runs here: it deploys, with its open sessions and its
    // healer, and the history and audit are one. A saved plan is applied from here.
    if (!args.isSet(PlanOption) && !args.isSet(SavePlanOption)) {
        if (const auto coordinator = CoordinatorJob::here(context, *registry))
            return remote(context, args, *coordinator, services);
    }
    if (args.isSet(PlanOption)) {
        if (!services.isEmpty() || args.isSet(DryRunOption))
            return context.usageError(
                u"--plan applies the saved plan as it is: name no services and no --dry-run"_s);
        QFile file(args.value(PlanOption));
        if (!file.open(QIODevice::ReadOnly)) {
            context.printError(
                u"cannot read plan %1: %2"_s.arg(file.fileName(), file.errorString()));
            return Failed;
        }
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
        auto saved =
            doc.isObject()
                ? DeployPlan::fromJson(doc.object())
                : Result<DeployPlan>(Error{ErrorCode::ParseError, parseError.errorString()});
        if (!saved) {
            context.printError(u"%1: %2"_s.arg(file.fileName(), saved.error().message));
            return Failed;
        }
        DeployOptions options;
        options.actor = CliContext::actor();
        options.autoHeal = !args.isSet(NoAutoHealOption);
        return report(context,
                      orchestrator.deploy(*registry, *saved, options, progressPrinter(context)));
    }
    if (args.isSet(SavePlanOption) && !args.isSet(DryRunOption))
        return context.usageError(
            u"--save-plan goes with --dry-run: review first, apply with --plan"_s);
    if (!args.isSet(DryRunOption)) {
        DeployOptions options;
        options.actor = CliContext::actor();
        options.force = args.isSet(ForceOption);
        options.autoHeal = !args.isSet(NoAutoHealOption);
        return report(context,
                      orchestrator.deploy(*registry, services, options, progressPrinter(context)));
    }
    auto plan = orchestrator.planDeploy(*registry, services, args.isSet(ForceOption));
    if (!plan) {
        context.printError(plan.error().message);
        return Failed;
    }
    if (args.isSet(SavePlanOption)) {
        QSaveFile file(args.value(SavePlanOption));
        if (!file.open(QIODevice::WriteOnly)
            || file.write(QJsonDocument(plan->toJson()).toJson()) < 0 || !file.commit()) {
            context.printError(
                u"cannot write plan %1: %2"_s.arg(file.fileName(), file.errorString()));
            return Failed;
        }
    }
    return printPlan(context, *plan);
}

int DeployCommand::printPlan(CliContext &context, const DeployPlan &plan)
{
    if (context.json()) {
        context.printJson(plan.toJson());
        return Ok;
    }
    TextTable table({u"WAVE"_s, u"SERVICE"_s, u"HOST"_s, u"ACTION"_s, u"WHY"_s});
    for (const PlannedService &p : plan.services)
        table.addRow({QString::number(p.wave + 1), p.service, p.host, toString(p.action), p.why});
    table.print(context.out());
    for (const PlannedService &p : plan.services) {
        if (p.configDiff.isEmpty())
            continue;
        context.out() << "\n" << p.service << " config:\n";
        for (const QString &line : p.configDiff)
            context.out() << "  " << line << '\n';
    }
    for (const QString &note : plan.notes)
        context.out() << "\nnote: " << note << '\n';
    return Ok;
}

int DeployCommand::remote(CliContext &context, const QCommandLineParser &args,
                          const ServerClient &server, const QStringList &services)
{
    if (args.isSet(PlanOption) || args.isSet(SavePlanOption))
        return context.usageError(
            u"--plan and --save-plan work on this machine, not with --server"_s);
    QJsonObject body{{u"force"_s, args.isSet(ForceOption)}};
    if (!services.isEmpty())
        body.insert(u"services"_s, QJsonArray::fromStringList(services));
    if (args.isSet(DryRunOption)) {
        auto answer = server.request("POST", u"/api/v1/plan"_s, body);
        auto plan = answer ? DeployPlan::fromJson(*answer) : Result<DeployPlan>(answer.error());
        if (!plan) {
            context.printError(plan.error().message);
            return Failed;
        }
        return printPlan(context, *plan);
    }
    return report(context,
                  CoordinatorJob::run(server, u"/api/v1/deploy"_s, body, progressPrinter(context)));
}

ProgressFn DeployCommand::progressPrinter(CliContext &context)
{
    auto printing = std::make_shared<QMutex>(); // progress arrives from the host workers
    return [&context, printing](const DeployProgress &p) {
        if (context.json())
            return;
        QMutexLocker lock(printing.get());
        if (p.service.isEmpty()) { // about the whole plan
            context.err() << toString(p.step) << ": " << p.detail << '\n';
            context.err().flush();
            return;
        }
        context.err() << "[" << p.service << "@" << p.host << "] " << toString(p.step);
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
        failed += !r.succeeded();
    if (context.json()) {
        QJsonArray items;
        for (const DeploymentRecord &r : *records)
            items.append(HistoryJson::summary(r));
        context.printJson(QJsonObject{{u"deployed"_s, items}, {u"failed"_s, failed}});
    } else if (records->isEmpty()) {
        context.out() << "Nothing to do: every service is up to date and running.\n";
    } else {
        TextTable table({u"SERVICE"_s, u"HOST"_s, u"ACTION"_s, u"OUTCOME"_s, u"TIME"_s, u"RECORD"_s,
                         u"REASON"_s});
        for (const DeploymentRecord &r : *records)
            table.addRow({r.service, r.host, toString(r.action), toString(r.outcome),
                          u"%1 s"_s.arg(double(r.durationMs()) / 1000.0, 0, 'f', 1),
                          QString::number(r.id), r.reason.section(u'\n', 0, 0)});
        table.print(context.out());
    }
    if (failed == 0)
        return Ok;
    return failed == records->size() ? Failed : PartlyFailed;
}

} // namespace Portoser::Cli
