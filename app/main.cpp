// SPDX-License-Identifier: Apache-2.0
// One binary, three front-ends: the desktop app, `--serve` and `--cli`. This file only picks the
// mode and builds the right kind of application object; `--serve`/`--cli` never touch a display,
// nor load the GUI libraries: the window is a module of its own (app/window), loaded only here.
#include "app/AppIdentity.h"
#include "app/ServeRunner.h"
#include "app/WindowModuleLoader.h"
#include "app/cli/CliApp.h"
#include "core/Orchestrator.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>
#include <memory>
#include <optional>

namespace {

using namespace Qt::Literals::StringLiterals;

enum class Mode {
    Gui,
    Serve,
    Cli,
    Help,
    Version
};

struct Invocation
{
    Mode mode = Mode::Gui;
    QStringList rest; // the arguments that belong to the chosen mode
};

Invocation parseMode(const QStringList &args)
{
    Invocation inv;
    // The mode flag may follow global options such as --registry PATH, but not a command word.
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (a == u"--cli"_s || a == u"--serve"_s) {
            inv.mode = a == u"--cli"_s ? Mode::Cli : Mode::Serve;
            inv.rest = args.mid(0, i) + args.mid(i + 1);
            return inv;
        }
        if (a == u"--registry"_s || a == u"--db"_s) {
            ++i;
            continue;
        }
        if (!a.startsWith(u'-'))
            break;
    }
    inv.rest = args;
    if (args.size() == 1 && (args.first() == u"--help"_s || args.first() == u"-h"_s))
        inv.mode = Mode::Help;
    else if (args.size() == 1 && args.first() == u"--version"_s)
        inv.mode = Mode::Version;
    return inv;
}

QStringList argumentsOf(int argc, char **argv)
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args.append(QString::fromLocal8Bit(argv[i]));
    return args;
}

/** A Qt option as QApplication knows it, with one dash or two: whether it takes a value. */
std::optional<bool> qtOption(QString arg)
{
    static const QStringList withValue = {u"platform"_s,      u"platformpluginpath"_s,
                                          u"platformtheme"_s, u"plugin"_s,
                                          u"style"_s,         u"stylesheet"_s,
                                          u"session"_s,       u"display"_s,
                                          u"geometry"_s,      u"qwindowgeometry"_s,
                                          u"qwindowtitle"_s,  u"qwindowicon"_s,
                                          u"name"_s,          u"title"_s,
                                          u"visual"_s,        u"qmljsdebugger"_s};
    static const QStringList flags = {u"reverse"_s, u"widgetcount"_s, u"nograb"_s,
                                      u"dograb"_s,  u"sync"_s,        u"testability"_s};
    arg.remove(0, arg.startsWith(u"--"_s) ? 2 : 1);
    const qsizetype eq = arg.indexOf(u'=');
    if (eq >= 0)
        return withValue.contains(arg.left(eq)) ? std::optional<bool>(false) : std::nullopt;
    if (withValue.contains(arg))
        return true;
    if (flags.contains(arg))
        return false;
    return std::nullopt;
}

/** Why the desktop window cannot take these arguments, or nothing when it can. Qt's own options
 *  pass through to QApplication, and so do the -Key value pairs macOS hands an app
 *  (-psn_…, -AppleLanguages (de), -NSDocumentRevisionsDebugMode YES). */
std::optional<QString> guiUsageError(const QStringList &args)
{
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (a == u"--registry"_s || a == u"--connect"_s) {
            if (++i >= args.size())
                return a == u"--registry"_s ? u"--registry needs a PATH"_s
                                            : u"--connect needs the coordinator's URL"_s;
            continue;
        }
        if (a.startsWith(u"--registry="_s) || a.startsWith(u"--connect="_s) || a == u"--local"_s)
            continue;
        if (const auto takesValue = qtOption(a); takesValue && a.startsWith(u'-')) {
            i += *takesValue ? 1 : 0;
            continue;
        }
        if (a.startsWith(u"--"_s))
            return u"unknown option %1"_s.arg(a);
        if (a.startsWith(u'-')) {
            if (i + 1 < args.size() && !args.at(i + 1).startsWith(u'-'))
                ++i; // its value
            continue;
        }
        return u"\"%1\" is a command: run it as portoser --cli %1"_s.arg(a);
    }
    return std::nullopt;
}

/** Whether a window can open here: on X11/Wayland systems a display must be named (macOS and
 *  Windows always have one; a platform or display chosen on the command line counts). */
bool hasDisplay(const QStringList &args)
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    for (const QString &a : args) {
        for (const QString &chosen : {u"platform"_s, u"display"_s}) {
            if (a == u'-' + chosen || a == u"--"_s + chosen || a.startsWith(u'-' + chosen + u'=')
                || a.startsWith(u"--"_s + chosen + u'='))
                return true;
        }
    }
    if (qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        return true;
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
#else
    Q_UNUSED(args);
    return true;
#endif
}

} // namespace

int main(int argc, char **argv)
{
    const Invocation inv = parseMode(argumentsOf(argc, argv));
    QTextStream out(stdout);
    QTextStream err(stderr);

    switch (inv.mode) {
    case Mode::Version:
        out << "portoser " << PORTOSER_VERSION << '\n';
        return 0;
    case Mode::Help: {
        Portoser::Orchestrator orchestrator;
        const Portoser::Cli::CliApp cli(orchestrator, out, err);
        out << "Usage:\n"
               "  portoser [--registry PATH] [--local]        desktop control center\n"
               "  portoser --connect URL                      the window on a coordinator\n"
               "  portoser --serve [--listen ADDR:PORT]       headless coordinator (API, MCP, "
               "healer)\n"
               "  portoser --cli [--registry PATH] <command>  batch commands for scripts\n"
               "  portoser --version | --help\n\n"
            << cli.commandList()
            << "\nExit codes: 0 ok, 1 failed, 2 usage error, 3 partly failed.\n"
               "The registry is --registry PATH, else $PORTOSER_REGISTRY, else ./registry.yml, "
               "else ~/.portoser/registry.yml.\n";
        return 0;
    }
    case Mode::Cli: {
        QCoreApplication app(argc, argv);
        Portoser::setAppIdentity();
        Portoser::Orchestrator orchestrator;
        Portoser::Cli::CliApp cli(orchestrator, out, err);
        return cli.run(inv.rest);
    }
    case Mode::Serve: {
        QCoreApplication app(argc, argv);
        Portoser::setAppIdentity();
        return Portoser::ServeRunner().run(inv.rest);
    }
    case Mode::Gui:
        break;
    }

    if (const auto usage = guiUsageError(inv.rest)) {
        err << "portoser: " << *usage << " (see portoser --help)\n";
        return 2;
    }
    if (!hasDisplay(inv.rest)) {
        err << "portoser: no display here for the desktop window; use portoser --cli <command> "
               "for commands or portoser --serve for the coordinator (portoser --help)\n";
        return 1;
    }

    QString registry, coordinator;
    bool local = false;
    for (qsizetype i = 0; i < inv.rest.size(); ++i) {
        const QString &a = inv.rest.at(i);
        if ((a == u"--registry"_s || a == u"--connect"_s) && i + 1 < inv.rest.size())
            (a == u"--registry"_s ? registry : coordinator) = inv.rest.at(++i);
        else if (a.startsWith(u"--registry="_s))
            registry = a.mid(11);
        else if (a.startsWith(u"--connect="_s))
            coordinator = a.mid(10);
        else if (a == u"--local"_s)
            local = true;
    }
    return Portoser::WindowModuleLoader::run(argc, argv, registry, coordinator, local);
}
