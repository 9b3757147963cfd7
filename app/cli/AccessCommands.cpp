// SPDX-License-Identifier: Apache-2.0
#include "app/cli/AccessCommands.h"

#include "app/cli/TextTable.h"
#include "core/runtime/Coordinator.h"
#include "core/runtime/Operations.h"
#include "server/McpServer.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <iostream>
#include <string>
#include <thread>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {

const QCommandLineOption RoleOption(u"role"_s, u"viewer, operator or admin."_s, u"ROLE"_s);
const QCommandLineOption NameOption(u"name"_s, u"A name for the token (who or what uses it)."_s,
                                    u"NAME"_s);
const QCommandLineOption LimitOption(u"limit"_s, u"At most N entries (default 50)."_s, u"N"_s,
                                     u"50"_s);
const QCommandLineOption ActorOption(u"actor"_s, u"Only this caller's entries."_s, u"ACTOR"_s);
const QCommandLineOption McpRoleOption(u"role"_s, u"Role of the stdio client (default: admin)."_s,
                                       u"ROLE"_s, u"admin"_s);

} // namespace

CommandSpec TokenCommand::spec() const
{
    CommandSpec s{
        u"token"_s,
        u"create --role viewer|operator|admin --name NAME | list | revoke NAME"_s,
        u"API tokens for --serve: viewers read, operators deploy, admins manage access."_s,
        u"create prints the token once; only its SHA-256 is stored. As soon as one token "
        "exists, every API route but /healthz needs one (Authorization: Bearer TOKEN). "
        "A running --serve sees new and revoked tokens within two seconds."_s,
        {RoleOption, NameOption}};
    s.usesHosts = true; // for --db
    return s;
}

int TokenCommand::run(CliContext &context, const QCommandLineParser &args)
{
    QStringList words = args.positionalArguments();
    const QString action = words.isEmpty() ? QString() : words.takeFirst();
    Orchestrator &orchestrator = context.orchestrator();
    if (action == u"create") {
        const auto role = roleFromString(args.value(RoleOption));
        if (!role)
            return context.usageError(u"create needs --role viewer, operator or admin"_s);
        if (!args.isSet(NameOption))
            return context.usageError(u"create needs --name NAME"_s);
        auto created = orchestrator.createToken(args.value(NameOption), *role);
        if (!created) {
            context.printError(created.error().message);
            return Failed;
        }
        if (context.json()) {
            QJsonObject o = created->token.toJson();
            o.insert(u"token"_s, created->secret);
            context.printJson(o);
        } else {
            context.out() << created->secret << '\n';
            context.err() << "token '" << created->token.name << "' (" << toString(*role)
                          << ") created; it is shown only this once\n";
        }
        return Ok;
    }
    if (action == u"list") {
        auto tokens = orchestrator.tokens();
        if (!tokens) {
            context.printError(tokens.error().message);
            return Failed;
        }
        if (context.json()) {
            QJsonArray items;
            for (const ApiToken &t : *tokens)
                items.append(t.toJson());
            context.printJson(items);
            return Ok;
        }
        TextTable table({u"ID"_s, u"NAME"_s, u"ROLE"_s, u"CREATED"_s, u"STATE"_s});
        for (const ApiToken &t : *tokens)
            table.addRow({QString::number(t.id), t.name, toString(t.role),
                          t.createdAt.toLocalTime().toString(Qt::ISODate),
                          t.revokedAt.isValid() ? u"revoked"_s : u"valid"_s});
        table.print(context.out());
        return Ok;
    }
    if (action == u"revoke") {
        if (words.size() != 1)
            return context.usageError(u"revoke takes one token NAME or ID"_s);
        auto revoked = orchestrator.revokeToken(words.first());
        if (!revoked) {
            context.printError(revoked.error().message);
            return Failed;
        }
        if (context.json())
            context.printJson(revoked->toJson());
        else
            context.out() << "token '" << revoked->name << "' revoked\n";
        return Ok;
    }
    return context.usageError(u"say what to do: create, list or revoke"_s);
}

CommandSpec AuditCommand::spec() const
{
    CommandSpec s{u"audit"_s,
                  u"list [--limit N] [--actor ACTOR]"_s,
                  u"The audit log: every mutating API call and every MCP tool call."_s,
                  u"Each entry: when, who (token:NAME, oidc:USER, anonymous), from where, what "
                  "(route or tool), its arguments with secrets redacted, the outcome and how long "
                  "it took."_s,
                  {LimitOption, ActorOption}};
    s.usesHosts = true;
    return s;
}

int AuditCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const QStringList words = args.positionalArguments();
    if (words != QStringList{u"list"_s})
        return context.usageError(u"say what to do: list"_s);
    bool ok = false;
    const int limit = args.value(LimitOption).toInt(&ok);
    if (!ok || limit < 1)
        return context.usageError(u"--limit needs a positive number"_s);
    auto entries = context.orchestrator().audit(limit, 0, args.value(ActorOption));
    if (!entries) {
        context.printError(entries.error().message);
        return Failed;
    }
    if (context.json()) {
        QJsonArray items;
        for (const AuditEntry &e : *entries)
            items.append(toJson(e));
        context.printJson(items);
        return Ok;
    }
    TextTable table(
        {u"ID"_s, u"AT"_s, u"ACTOR"_s, u"FROM"_s, u"ACTION"_s, u"STATUS"_s, u"OUTCOME"_s, u"MS"_s});
    for (const AuditEntry &e : *entries)
        table.addRow({QString::number(e.id), e.at.toLocalTime().toString(Qt::ISODate), e.actor,
                      e.peer, e.action, QString::number(e.status), e.outcome.left(60),
                      QString::number(e.durationMs)});
    table.print(context.out());
    return Ok;
}

CommandSpec ToolsCommand::spec() const
{
    CommandSpec s{
        u"tools"_s,
        u"list | show NAME | add FILE.json | remove NAME"_s,
        u"Operator-registered MCP tools: a command template run on one host."_s,
        u"FILE.json: {\"name\": \"disk_usage\", \"description\": \"...\", \"host\": \"pi1\",\n"
        " \"command\": \"du -sh {path}\", \"input_schema\": {\"type\": \"object\",\n"
        " \"properties\": {\"path\": {\"type\": \"string\"}}, \"required\": [\"path\"]},\n"
        " \"role\": \"operator\"}\n"
        "Each {parameter} of the command must be declared in input_schema; its value "
        "becomes one quoted shell word. {base} is the host's base path. Adding a tool "
        "of an existing name replaces it."_s,
        {}};
    s.usesHosts = true;
    return s;
}

int ToolsCommand::run(CliContext &context, const QCommandLineParser &args)
{
    QStringList words = args.positionalArguments();
    const QString action = words.isEmpty() ? QString() : words.takeFirst();
    Orchestrator &orchestrator = context.orchestrator();
    if (action == u"list") {
        auto tools = orchestrator.operatorTools();
        if (!tools) {
            context.printError(tools.error().message);
            return Failed;
        }
        if (context.json()) {
            QJsonArray items;
            for (const OperatorTool &t : *tools)
                items.append(t.toJson());
            context.printJson(items);
            return Ok;
        }
        TextTable table({u"NAME"_s, u"HOST"_s, u"ROLE"_s, u"COMMAND"_s});
        for (const OperatorTool &t : *tools)
            table.addRow({t.name, t.host, toString(t.role), t.command.left(60)});
        table.print(context.out());
        return Ok;
    }
    if (action == u"show" && words.size() == 1) {
        auto tool = orchestrator.operatorTool(words.first());
        if (!tool) {
            context.printError(tool.error().message);
            return Failed;
        }
        context.printJson(tool->toJson()); // the definition is JSON either way
        return Ok;
    }
    if (action == u"add" && words.size() == 1) {
        QFile file(words.first());
        if (!file.open(QIODevice::ReadOnly)) {
            context.printError(u"cannot read %1: %2"_s.arg(words.first(), file.errorString()));
            return Failed;
        }
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
        if (!doc.isObject()) {
            context.printError(u"%1: not a JSON object (%2 at offset %3)"_s
                                   .arg(words.first(), parseError.errorString())
                                   .arg(parseError.offset));
            return Failed;
        }
        auto tool = OperatorTool::fromJson(doc.object());
        const auto registry = tool ? context.validRegistry() : std::nullopt;
        if (!tool) {
            context.printError(u"%1: %2"_s.arg(words.first(), tool.error().message));
            return Failed;
        }
        if (!registry)
            return Failed;
        tool->createdBy = CliContext::actor();
        if (auto saved = Operations::saveOperatorTool(orchestrator, *registry, *tool); !saved) {
            context.printError(u"%1: %2"_s.arg(words.first(), saved.error().message));
            return Failed;
        }
        if (context.json())
            context.printJson(tool->toJson());
        else
            context.out() << "tool " << tool->name << " registered (runs on " << tool->host
                          << ")\n";
        return Ok;
    }
    if (action == u"remove" && words.size() == 1) {
        if (auto removed = orchestrator.removeOperatorTool(words.first()); !removed) {
            context.printError(removed.error().message);
            return Failed;
        }
        context.out() << "tool " << words.first() << " removed\n";
        return Ok;
    }
    return context.usageError(u"say what to do: list, show NAME, add FILE or remove NAME"_s);
}

CommandSpec McpCommand::spec() const
{
    CommandSpec s{
        u"mcp"_s,
        u"[--role viewer|operator|admin]"_s,
        u"Serve MCP on stdin/stdout (newline-delimited JSON-RPC) for desktop AI clients."_s,
        u"For clients that spawn their servers (Claude Desktop, editors): command "
        "`portoser`, arguments `--cli --registry PATH mcp`. The tools are those of "
        "--serve's /mcp endpoint; tool calls are audited as local:<user>. Logs go to "
        "stderr; stdout carries only protocol messages."_s,
        {McpRoleOption}};
    s.takesJson = false;
    s.usesHosts = true;
    return s;
}

int McpCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const auto role = roleFromString(args.value(McpRoleOption));
    if (!role)
        return context.usageError(u"--role must be viewer, operator or admin"_s);
    Coordinator coordinator(context.registryPath(), context.orchestrator().settings());
    if (auto loaded = coordinator.reload(); !loaded) {
        context.err() << "portoser mcp: " << loaded.error().message << '\n';
        return Failed;
    }
    McpServer server(coordinator);
    Orchestrator &orchestrator = context.orchestrator();
    server.setOperatorTools([&orchestrator] {
        auto tools = orchestrator.operatorTools();
        return tools ? *tools : QList<OperatorTool>();
    });
    const Principal caller{u"local:"_s + CliContext::actor().section(u':', 1), *role, u"local"_s,
                           u"local"_s};
    server.setAudit([&orchestrator](const AuditEntry &entry) {
        if (auto written = orchestrator.appendAudit(entry); !written)
            qWarning("portoser mcp: %s", qUtf8Printable(written.error().message));
    });

    QTextStream &out = context.out();
    McpSession session;
    session.id = u"stdio"_s;
    session.principal = caller.name;
    QObject::connect(
        &server, &McpServer::resourcesUpdated, &server,
        [&session](const QStringList &uris) { McpServer::pushUpdates(session, uris); });
    int inFlight = 0;
    bool eof = false;
    auto send = [&out](const QJsonObject &message) {
        out << QJsonDocument(message).toJson(QJsonDocument::Compact) << '\n';
        out.flush();
    };
    session.push = send;
    auto maybeQuit = [&] {
        if (eof && inFlight == 0)
            QCoreApplication::exit(Ok);
    };
    QObject receiver;
    // stdin is read on a plain thread; each line is handled on this thread's event loop.
    std::thread reader([&receiver, &send, &server, &session, &caller, &inFlight, &eof, &maybeQuit] {
        std::string line;
        while (std::getline(std::cin, line)) {
            const QByteArray bytes = QByteArray::fromStdString(line).trimmed();
            if (bytes.isEmpty())
                continue;
            QMetaObject::invokeMethod(&receiver, [&, bytes] {
                QJsonParseError error;
                const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
                if (!doc.isObject()) {
                    send(McpServer::error(QJsonValue(), -32700,
                                          u"parse error: expected one JSON-RPC object per line"_s));
                    return;
                }
                const QJsonObject message = doc.object();
                if (!message.contains(u"id"_s)) {
                    server.handle(message, session, caller, send, send);
                    return;
                }
                ++inFlight;
                server.handle(
                    message, session, caller,
                    [&](const QJsonObject &response) {
                        if (!response.isEmpty()) // empty: the client cancelled it
                            send(response);
                        --inFlight;
                        maybeQuit();
                    },
                    send);
            });
        }
        QMetaObject::invokeMethod(&receiver, [&] {
            eof = true;
            maybeQuit();
        });
    });
    const int code = QCoreApplication::exec();
    reader.join();
    return code;
}

} // namespace Portoser::Cli
