// SPDX-License-Identifier: Apache-2.0
#include "app/ServeRunner.h"

#include "app/SignalWatcher.h"
#include "app/cli/ExitCode.h"
#include "core/Orchestrator.h"
#include "core/heal/HealLoop.h"
#include "core/registry/RegistryLocator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

int ServeRunner::run(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    const QCommandLineOption listen(u"listen"_s, u"Address and port to listen on."_s,
                                    u"ADDR:PORT"_s, u"127.0.0.1:8420"_s);
    const QCommandLineOption registry(u"registry"_s, u"Registry file."_s, u"PATH"_s);
    const QCommandLineOption db(u"db"_s, u"History database."_s, u"PATH"_s);
    const QCommandLineOption noHeal(u"no-heal"_s, u"Do not run the self-heal watchdog."_s);
    const QCommandLineOption help(QStringList{u"h"_s, u"help"_s}, u"Show this help."_s);
    parser.addOptions({listen, registry, db, noHeal, help});
    if (!parser.parse(QStringList{u"portoser"_s} + args)) {
        err << "portoser --serve: " << parser.errorText() << '\n';
        return Cli::UsageError;
    }
    if (parser.isSet(help)) {
        out << "Usage: portoser --serve [--listen ADDR:PORT] [--registry PATH] [--db PATH] "
               "[--no-heal]\n\n"
               "Runs the headless coordinator: the self-heal watchdog and the HTTP/MCP API.\n"
               "  --listen ADDR:PORT  where to listen (default 127.0.0.1:8420)\n"
               "  --registry PATH     registry file\n"
               "  --db PATH           history database (default: $PORTOSER_DB or "
               "~/.portoser/portoser.db)\n"
               "  --no-heal           do not run the self-heal watchdog\n";
        return Cli::Ok;
    }
    const QString path = RegistryLocator::fromProcess(parser.value(registry)).resolve();
    const CheckedRegistry checked = Orchestrator().checkRegistry(path);
    if (!checked.isValid()) {
        for (const Issue &issue : checked.issues) {
            if (issue.isError())
                err << issue.toString() << '\n';
        }
        err << "portoser --serve: not starting: " << path << " is invalid\n";
        return Cli::Failed;
    }
    out << "portoser --serve: coordinator up for " << path << " (" << checked.registry.hosts.size()
        << " hosts, " << checked.registry.services.size() << " services); the HTTP API on "
        << parser.value(listen) << " arrives with issue #5\n";
    out.flush();

    // The watchdog: every heal event is a log line (and, with the API, an event on its stream).
    std::unique_ptr<HealLoop> watchdog;
    if (!parser.isSet(noHeal)) {
        OrchestratorSettings settings;
        settings.databasePath = parser.value(db);
        watchdog = std::make_unique<HealLoop>(settings, checked.registry);
        QObject::connect(watchdog.get(), &HealLoop::event, watchdog.get(),
                         [&out](const HealEvent &e) {
                             out << "heal: " << toText(e) << '\n';
                             out.flush();
                         });
        watchdog->start();
        out << "portoser --serve: self-heal watchdog running\n";
        out.flush();
    }

    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, qApp, [&out](int) {
        out << "portoser --serve: stopping\n";
        out.flush();
        QCoreApplication::exit(Cli::Ok);
    });
    return QCoreApplication::exec();
}

} // namespace Portoser
