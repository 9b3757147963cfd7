// SPDX-License-Identifier: Apache-2.0
#include "app/cli/RegistryCommand.h"

#include "app/cli/TextTable.h"
#include "core/registry/RegistryJson.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {

const QCommandLineOption HostOption(u"host"_s, u"list-services: only services on HOST."_s,
                                    u"HOST"_s);

QString orDash(const QString &text)
{
    return text.isEmpty() ? u"-"_s : text;
}

void printFields(QTextStream &out, const QJsonObject &object, int indent = 0)
{
    const QString pad(indent, u' ');
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() == u"name"_s || it.key() == u"location"_s)
            continue;
        const QJsonValue v = it.value();
        if (v.isObject()) {
            out << pad << it.key() << ":\n";
            printFields(out, v.toObject(), indent + 2);
        } else if (v.isArray()) {
            QStringList items;
            for (const QJsonValue &item : v.toArray())
                items.append(item.toVariant().toString());
            out << pad << it.key() << ": " << (items.isEmpty() ? u"[]"_s : items.join(u", "_s))
                << '\n';
        } else {
            out << pad << it.key() << ": " << v.toVariant().toString() << '\n';
        }
    }
}

} // namespace

CommandSpec RegistryCommand::spec() const
{
    return {u"registry"_s,
            u"list-services [--host HOST] | list-hosts | show NAME"_s,
            u"Show the hosts and services the registry describes, after includes and ${VAR}s."_s,
            u"list-services  one line per service: host, type, port, dependencies\n"
            "list-hosts     one line per host: address, user, arch, transport, services\n"
            "show NAME      every setting of a service or host, resolved"_s,
            {HostOption}};
}

int RegistryCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const QStringList words = args.positionalArguments();
    if (words.isEmpty())
        return context.usageError(u"say what to show: list-services, list-hosts or show NAME"_s);
    const QString action = words.first();
    const qsizetype expected = action == u"show"_s ? 2 : 1;
    if (action != u"list-services"_s && action != u"list-hosts"_s && action != u"show"_s)
        return context.usageError(
            u"unknown action \"%1\"; use list-services, list-hosts or show NAME"_s.arg(action));
    if (words.size() != expected)
        return context.usageError(action == u"show"_s ? u"show needs exactly one NAME"_s
                                                      : u"%1 takes no arguments"_s.arg(action));
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    if (action == u"list-services"_s)
        return listServices(context, *registry, args.value(HostOption));
    if (action == u"list-hosts"_s)
        return listHosts(context, *registry);
    return show(context, *registry, words.at(1));
}

int RegistryCommand::listServices(CliContext &context, const Registry &registry,
                                  const QString &hostFilter)
{
    if (!hostFilter.isEmpty() && !registry.hosts.contains(hostFilter)) {
        context.printError(u"no host named \"%1\" in %2"_s.arg(hostFilter, registry.path));
        return Failed;
    }
    QJsonArray json;
    TextTable table({u"SERVICE"_s, u"HOST"_s, u"TYPE"_s, u"PORT"_s, u"DEPENDS ON"_s});
    for (const Service &s : registry.services) {
        if (!hostFilter.isEmpty() && s.currentHost != hostFilter)
            continue;
        json.append(RegistryJson::toJson(s));
        const auto port = s.effectivePort();
        table.addRow({s.name, s.currentHost, toString(s.type),
                      port ? QString::number(*port) : u"-"_s,
                      orDash(s.allDependencies().join(u", "_s))});
    }
    if (context.json())
        context.printJson(json);
    else
        table.print(context.out());
    return Ok;
}

int RegistryCommand::listHosts(CliContext &context, const Registry &registry)
{
    QJsonArray json;
    TextTable table({u"HOST"_s, u"ADDRESS"_s, u"USER"_s, u"ARCH"_s, u"TRANSPORT"_s, u"SERVICES"_s});
    for (const Host &h : registry.hosts) {
        QJsonObject o = RegistryJson::toJson(h);
        QStringList services;
        for (const Service *s : registry.servicesOn(h.name))
            services.append(s->name);
        o.insert(u"services"_s, QJsonArray::fromStringList(services));
        json.append(o);
        table.addRow({h.name,
                      h.sshPort == Host::DefaultSshPort
                          ? h.address()
                          : u"%1:%2"_s.arg(h.address()).arg(h.sshPort),
                      orDash(h.sshUser), orDash(h.arch), h.isLocal() ? u"local"_s : u"ssh"_s,
                      QString::number(services.size())});
    }
    if (context.json())
        context.printJson(json);
    else
        table.print(context.out());
    return Ok;
}

int RegistryCommand::show(CliContext &context, const Registry &registry, const QString &name)
{
    const Service *service = registry.service(name);
    const Host *host = registry.host(name);
    if (!service && !host) {
        context.printError(u"no service or host named \"%1\" in %2"_s.arg(name, registry.path));
        return Failed;
    }
    QJsonObject json;
    if (service)
        json.insert(u"service"_s, RegistryJson::toJson(*service));
    if (host)
        json.insert(u"host"_s, RegistryJson::toJson(*host));
    if (context.json()) {
        context.printJson(json);
        return Ok;
    }
    QTextStream &out = context.out();
    if (service) {
        out << "service " << name << "  (" << service->location.toString() << ")\n";
        printFields(out, json.value(u"service"_s).toObject(), 2);
    }
    if (host) {
        out << "host " << name << "  (" << host->location.toString() << ")\n";
        printFields(out, json.value(u"host"_s).toObject(), 2);
    }
    return Ok;
}

} // namespace Portoser::Cli
