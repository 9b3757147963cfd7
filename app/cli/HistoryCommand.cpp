// SPDX-License-Identifier: Apache-2.0
#include "app/cli/HistoryCommand.h"

#include "app/cli/CoordinatorJob.h"
#include "app/cli/DeployCommand.h"
#include "app/cli/TextTable.h"
#include "core/deploy/ConfigDiff.h"
#include "core/history/HistoryJson.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {

const QCommandLineOption LimitOption(u"limit"_s, u"list: at most N records (default 50)."_s, u"N"_s,
                                     u"50"_s);
const QCommandLineOption HostOption(u"host"_s, u"list: only records on HOST."_s, u"HOST"_s);
const QCommandLineOption OutcomeOption(
    u"outcome"_s,
    u"list: only records that ended so (succeeded, failed, rolled_back, skipped, cancelled, "
    "interrupted, running)."_s,
    u"OUTCOME"_s);
const QCommandLineOption
    ForceOption(u"force"_s,
                u"rollback: return to a record that did not succeed (its release never passed "
                "the health gate)."_s);

std::optional<qint64> recordId(const QString &text)
{
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    return ok && id > 0 ? std::optional<qint64>(id) : std::nullopt;
}

} // namespace

CommandSpec HistoryCommand::spec() const
{
    CommandSpec s{
        u"history"_s,
        u"list [SERVICE] [--host H] [--outcome O] [--limit N] | show ID | diff A B | rollback ID "
        "[--force]"_s,
        u"Deployment history: every deploy, move, stop and rollback with its steps and config."_s,
        u"list   newest first: id, service, host, action, actor, outcome, start, duration\n"
        "show   one record with its steps (durations, output tails) and config\n"
        "diff   the config difference between two records\n"
        "rollback  deploy again the release and config of a record (the release must still be on "
        "the host; one that did not succeed only with --force)"_s,
        {LimitOption, HostOption, OutcomeOption, ForceOption}};
    s.usesHosts = true;
    s.throughCoordinator = true; // rollback
    return s;
}

int HistoryCommand::run(CliContext &context, const QCommandLineParser &args)
{
    QStringList words = args.positionalArguments();
    if (words.isEmpty())
        return context.usageError(u"say what to show: list, show ID or diff A B"_s);
    const QString action = words.takeFirst();
    Orchestrator &orchestrator = context.orchestrator();

    if (action == u"list"_s) {
        if (words.size() > 1)
            return context.usageError(u"list takes at most one SERVICE"_s);
        bool ok = false;
        const int limit = args.value(LimitOption).toInt(&ok);
        if (!ok || limit < 1)
            return context.usageError(u"--limit needs a positive number"_s);
        if (args.isSet(OutcomeOption) && !outcomeFromString(args.value(OutcomeOption)))
            return context.usageError(u"--outcome \"%1\" is not an outcome; use one of %2"_s.arg(
                args.value(OutcomeOption), outcomeNames().join(u", "_s)));
        HistoryQuery query = HistoryQuery::newest(words.value(0), limit);
        query.host = args.value(HostOption);
        query.outcome = args.value(OutcomeOption);
        auto records = orchestrator.history(query);
        if (!records) {
            context.printError(records.error().message);
            return Failed;
        }
        if (context.json()) {
            QJsonArray items;
            for (const DeploymentRecord &r : *records)
                items.append(HistoryJson::summary(r));
            context.printJson(items);
            return Ok;
        }
        TextTable table({u"ID"_s, u"SERVICE"_s, u"HOST"_s, u"ACTION"_s, u"ACTOR"_s, u"OUTCOME"_s,
                         u"STARTED"_s, u"TIME"_s});
        for (const DeploymentRecord &r : *records)
            table.addRow({QString::number(r.id), r.service, r.host, toString(r.action), r.actor,
                          toString(r.outcome),
                          r.startedAt.toLocalTime().toString(u"yyyy-MM-dd HH:mm:ss"_s),
                          u"%1 s"_s.arg(double(r.durationMs()) / 1000.0, 0, 'f', 1)});
        table.print(context.out());
        return Ok;
    }
    if (action == u"show"_s) {
        const auto id = words.size() == 1 ? recordId(words.first()) : std::nullopt;
        if (!id)
            return context.usageError(u"show needs one record ID (a number from 'history list')"_s);
        auto record = orchestrator.historyRecord(*id);
        if (!record) {
            context.printError(record.error().message);
            return Failed;
        }
        if (context.json()) {
            context.printJson(HistoryJson::full(*record));
            return Ok;
        }
        const DeploymentRecord &r = *record;
        QTextStream &out = context.out();
        out << "record " << r.id << ": " << toString(r.action) << " " << r.service << " on "
            << r.host;
        if (!r.fromHost.isEmpty())
            out << " (from " << r.fromHost << ")";
        out << "\n  outcome: " << toString(r.outcome) << "\n  actor:   " << r.actor
            << "\n  started: " << r.startedAt.toLocalTime().toString(Qt::ISODate)
            << "\n  time:    " << double(r.durationMs()) / 1000.0 << " s\n";
        if (!r.releaseId.isEmpty())
            out << "  release: " << r.releaseId
                << (r.previousReleaseId.isEmpty() ? QString()
                                                  : u" (before: "_s + r.previousReleaseId + u')')
                << '\n';
        const QJsonObject images = r.config.value(u"images"_s).toObject();
        for (auto it = images.begin(); it != images.end(); ++it) // docker: what the release ran
            out << "  image:   " << it.key() << " " << it.value().toString() << '\n';
        if (!r.reason.isEmpty())
            out << "  reason:  " << r.reason << '\n';
        out << "  steps:\n";
        for (const StepRecord &s : r.steps) {
            out << "    " << (s.ok ? "ok  " : "FAIL") << " " << s.name.leftJustified(10) << " "
                << s.durationMs << " ms\n";
            for (const QString &line : s.output.split(u'\n', Qt::SkipEmptyParts))
                out << "           " << line << '\n';
        }
        return Ok;
    }
    if (action == u"diff"_s) {
        const auto a = words.size() == 2 ? recordId(words.at(0)) : std::nullopt;
        const auto b = words.size() == 2 ? recordId(words.at(1)) : std::nullopt;
        if (!a || !b)
            return context.usageError(u"diff needs two record IDs"_s);
        auto first = orchestrator.historyRecord(*a);
        auto second = first ? orchestrator.historyRecord(*b) : first;
        if (!first || !second) {
            context.printError((!first ? first : second).error().message);
            return Failed;
        }
        const QStringList diff = ConfigDiff::between(first->config, second->config);
        if (context.json()) {
            context.printJson(QJsonObject{
                {u"from"_s, *a}, {u"to"_s, *b}, {u"diff"_s, QJsonArray::fromStringList(diff)}});
            return Ok;
        }
        if (diff.isEmpty())
            context.out() << "records " << *a << " and " << *b
                          << " deployed the same configuration\n";
        for (const QString &line : diff)
            context.out() << line << '\n';
        return Ok;
    }
    if (action == u"rollback"_s) {
        const auto id = words.size() == 1 ? recordId(words.first()) : std::nullopt;
        if (!id)
            return context.usageError(
                u"rollback needs one record ID (a number from 'history list')"_s);
        const auto registry = context.validRegistry();
        if (!registry)
            return Failed;
        if (const auto coordinator = CoordinatorJob::here(context, *registry))
            return DeployCommand::report(
                context,
                CoordinatorJob::run(*coordinator, u"/api/v1/history/%1/rollback"_s.arg(*id),
                                    QJsonObject{{u"force"_s, args.isSet(ForceOption)}},
                                    DeployCommand::progressPrinter(context)));
        DeployOptions options;
        options.actor = CliContext::actor();
        options.force = args.isSet(ForceOption);
        auto record =
            orchestrator.rollback(*registry, *id, options, DeployCommand::progressPrinter(context));
        if (!record) {
            context.printError(record.error().message);
            return Failed;
        }
        return DeployCommand::report(context, QList<DeploymentRecord>{*record});
    }
    return context.usageError(
        u"unknown action \"%1\"; use list, show, diff or rollback"_s.arg(action));
}

} // namespace Portoser::Cli
