// SPDX-License-Identifier: Apache-2.0
#include "app/cli/CliApp.h"

#include "app/cli/AccessCommands.h"
#include "app/cli/CertsCommand.h"
#include "app/cli/DependenciesCommand.h"
#include "app/cli/DeployCommand.h"
#include "app/cli/HealCommands.h"
#include "app/cli/HistoryCommand.h"
#include "app/cli/MetricsCommand.h"
#include "app/cli/ProxyCommand.h"
#include "app/cli/RegistryCommand.h"
#include "app/cli/SecretsCommand.h"
#include "app/cli/ServiceActionCommand.h"
#include "app/cli/StatusCommand.h"
#include "app/cli/ValidateCommand.h"
#include "core/Orchestrator.h"
#include "core/registry/RegistryLocator.h"

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {

const QCommandLineOption RegistryOption(u"registry"_s,
                                        u"Registry file (default: $PORTOSER_REGISTRY, "
                                        "./registry.yml, then ~/.portoser/registry.yml)."_s,
                                        u"PATH"_s);
const QCommandLineOption
    DbOption(u"db"_s, u"History database (default: $PORTOSER_DB or ~/.portoser/portoser.db)."_s,
             u"PATH"_s);
const QCommandLineOption AcceptKeysOption(
    u"accept-new-host-keys"_s,
    u"Trust and record host keys seen for the first time (never a changed one)."_s);
const QCommandLineOption JsonOption(u"json"_s, u"Print JSON instead of text."_s);
const QCommandLineOption
    LocalOption(u"local"_s,
                u"Reach the hosts from this process, not through a coordinator (a portoser --serve "
                "on this machine for the registry, or the one the registry names)."_s);
const QCommandLineOption HelpOption(QStringList{u"h"_s, u"help"_s}, u"Show this help."_s);

QString optionLine(const QCommandLineOption &option)
{
    QStringList names;
    for (const QString &n : option.names())
        names.append((n.size() == 1 ? u"-"_s : u"--"_s) + n);
    QString left = names.join(u", "_s);
    if (!option.valueName().isEmpty())
        left += u' ' + option.valueName();
    return u"  %1  %2\n"_s.arg(left.leftJustified(22), option.description());
}

} // namespace

CliApp::CliApp(Orchestrator &orchestrator, QTextStream &out, QTextStream &err)
    : m_orchestrator(orchestrator)
    , m_out(out)
    , m_err(err)
{
    m_commands.push_back(std::make_unique<ValidateCommand>());
    m_commands.push_back(std::make_unique<RegistryCommand>());
    m_commands.push_back(std::make_unique<DependenciesCommand>());
    m_commands.push_back(std::make_unique<DeployCommand>());
    m_commands.push_back(std::make_unique<StatusCommand>());
    m_commands.push_back(std::make_unique<StopCommand>());
    m_commands.push_back(std::make_unique<RestartCommand>(u"start"_s));
    m_commands.push_back(std::make_unique<RestartCommand>(u"restart"_s));
    m_commands.push_back(std::make_unique<MoveCommand>());
    m_commands.push_back(std::make_unique<LogsCommand>());
    m_commands.push_back(std::make_unique<UnitCommand>());
    m_commands.push_back(std::make_unique<HistoryCommand>());
    m_commands.push_back(std::make_unique<ObserveCommand>());
    m_commands.push_back(std::make_unique<DiagnoseCommand>());
    m_commands.push_back(std::make_unique<HealCommand>());
    m_commands.push_back(std::make_unique<LearnCommand>());
    m_commands.push_back(std::make_unique<MetricsCommand>());
    m_commands.push_back(std::make_unique<SecretsCommand>());
    m_commands.push_back(std::make_unique<CertsCommand>());
    m_commands.push_back(std::make_unique<ProxyCommand>());
    m_commands.push_back(std::make_unique<TokenCommand>());
    m_commands.push_back(std::make_unique<AuditCommand>());
    m_commands.push_back(std::make_unique<ToolsCommand>());
    m_commands.push_back(std::make_unique<McpCommand>());
}

CliApp::~CliApp() = default;

CliCommand *CliApp::find(const QString &name) const
{
    for (const auto &command : m_commands) {
        if (command->spec().name == name)
            return command.get();
    }
    return nullptr;
}

QString CliApp::commandList() const
{
    QString text = u"Commands:\n"_s;
    for (const auto &command : m_commands) {
        const CommandSpec spec = command->spec();
        text += u"  %1  %2\n"_s.arg(spec.name.leftJustified(14), spec.summary);
    }
    return text;
}

QString CliApp::helpFor(const CommandSpec &spec) const
{
    QString text = u"Usage: portoser --cli %1 [options] %2\n\n%3\n"_s.arg(spec.name, spec.synopsis,
                                                                          spec.summary);
    if (!spec.details.isEmpty())
        text += u'\n' + spec.details.trimmed() + u'\n';
    text += u"\nOptions:\n"_s;
    for (const QCommandLineOption &option : spec.options)
        text += optionLine(option);
    text += optionLine(RegistryOption);
    if (spec.usesHosts) {
        text += optionLine(DbOption);
        text += optionLine(AcceptKeysOption);
    }
    if (spec.throughCoordinator)
        text += optionLine(LocalOption);
    if (spec.takesJson)
        text += optionLine(JsonOption);
    text += optionLine(HelpOption);
    return text;
}

int CliApp::usageError(const QString &message, const QString &command)
{
    m_err << "portoser: " << message << '\n';
    if (command.isEmpty())
        m_err << "Run 'portoser --cli --help' for the list of commands.\n";
    else
        m_err << "Run 'portoser --cli " << command << " --help' for usage.\n";
    m_err.flush();
    return UsageError;
}

int CliApp::run(const QStringList &args)
{
    QString registry;
    QString database;
    bool acceptNewKeys = false;
    qsizetype i = 0;
    for (; i < args.size() && args.at(i).startsWith(u'-'); ++i) {
        const QString &arg = args.at(i);
        if (arg == u"-h"_s || arg == u"--help"_s) {
            m_out << "Usage: portoser --cli [--registry PATH] <command> [options]\n\n"
                  << commandList()
                  << "\nRun 'portoser --cli <command> --help' for a command's options.\n";
            return Ok;
        }
        if (arg == u"--version"_s) {
            m_out << "portoser " << PORTOSER_VERSION << '\n';
            return Ok;
        }
        if (arg == u"--registry"_s || arg == u"--db"_s) {
            if (++i >= args.size())
                return usageError(u"%1 needs a PATH"_s.arg(arg));
            (arg == u"--db"_s ? database : registry) = args.at(i);
        } else if (arg.startsWith(u"--registry="_s)) {
            registry = arg.mid(11);
        } else if (arg.startsWith(u"--db="_s)) {
            database = arg.mid(5);
        } else if (arg == u"--accept-new-host-keys"_s) {
            acceptNewKeys = true;
        } else {
            return usageError(u"unknown option %1"_s.arg(arg));
        }
    }
    if (i >= args.size())
        return usageError(u"no command given"_s);

    const QString name = args.at(i);
    CliCommand *command = find(name);
    if (!command)
        return usageError(u"unknown command \"%1\""_s.arg(name));
    const CommandSpec spec = command->spec();

    QCommandLineParser parser;
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    parser.addOption(RegistryOption);
    parser.addOption(HelpOption);
    if (spec.usesHosts) {
        parser.addOption(DbOption);
        parser.addOption(AcceptKeysOption);
    }
    if (spec.throughCoordinator)
        parser.addOption(LocalOption);
    if (spec.takesJson)
        parser.addOption(JsonOption);
    parser.addOptions(spec.options);
    if (!parser.parse(QStringList{u"portoser"_s} + args.mid(i + 1)))
        return usageError(parser.errorText(), name);
    if (parser.isSet(HelpOption)) {
        m_out << helpFor(spec);
        return Ok;
    }
    if (parser.isSet(RegistryOption))
        registry = parser.value(RegistryOption);

    if (spec.usesHosts) {
        OrchestratorSettings settings;
        settings.databasePath = parser.isSet(DbOption) ? parser.value(DbOption) : database;
        settings.transport.hostKeyPolicy = (acceptNewKeys || parser.isSet(AcceptKeysOption))
                                               ? HostKeyPolicy::AcceptNew
                                               : HostKeyPolicy::Strict;
        m_orchestrator.setSettings(settings);
    }
    CliContext context(m_out, m_err, m_orchestrator);
    context.setCommand(name);
    context.setRegistryPath(RegistryLocator::fromProcess(registry).resolve());
    context.setJson(spec.takesJson && parser.isSet(JsonOption));
    context.setForceLocal(spec.throughCoordinator && parser.isSet(LocalOption));
    const int code = command->run(context, parser);
    m_out.flush();
    m_err.flush();
    return code;
}

} // namespace Portoser::Cli
