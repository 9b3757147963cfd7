// SPDX-License-Identifier: Apache-2.0
#include "server/McpResources.h"

#include "core/runtime/Operations.h"

#include <QSet>
#include <QUrl>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int LogLines = 200;
constexpr int MaxCompletions = 100;

const QString Scheme = u"portoser://"_s;

QJsonObject resource(const QString &uri, const QString &name, const QString &title,
                     const QString &description)
{
    return {{u"uri"_s, uri},
            {u"name"_s, name},
            {u"title"_s, title},
            {u"description"_s, description},
            {u"mimeType"_s, u"application/json"_s}};
}

QString serviceUri(const QString &service)
{
    return Scheme + u"services/"_s + QString::fromLatin1(QUrl::toPercentEncoding(service));
}

QString hostUri(const QString &host)
{
    return Scheme + u"hosts/"_s + QString::fromLatin1(QUrl::toPercentEncoding(host));
}

} // namespace

std::optional<McpResource> McpResource::parse(const QString &uri, const Registry &registry)
{
    if (!uri.startsWith(Scheme) || uri.size() > 1024)
        return std::nullopt;
    const QStringList parts = uri.mid(Scheme.size()).split(u'/');
    McpResource r;
    r.uri = uri;
    const QString top = parts.value(0);
    const QString name =
        parts.size() > 1 ? QUrl::fromPercentEncoding(parts.at(1).toUtf8()) : QString();
    if (parts.size() == 1) {
        if (top == u"registry")
            r.kind = Kind::Registry;
        else if (top == u"services")
            r.kind = Kind::Services;
        else if (top == u"hosts")
            r.kind = Kind::Hosts;
        else
            return std::nullopt;
        return r;
    }
    r.name = name;
    if (top == u"hosts" && parts.size() == 2 && registry.hosts.contains(name)) {
        r.kind = Kind::Host;
        return r;
    }
    if (top != u"services" || !registry.services.contains(name) || parts.size() > 3)
        return std::nullopt;
    const QString aspect = parts.value(2);
    if (parts.size() == 2)
        r.kind = Kind::Service;
    else if (aspect == u"logs")
        r.kind = Kind::Logs;
    else if (aspect == u"history")
        r.kind = Kind::History;
    else
        return std::nullopt;
    return r;
}

const Operation *McpResource::operation(QJsonObject *arguments) const
{
    switch (kind) {
    case Kind::Services:
        *arguments = {};
        return Operations::find(u"list_services"_s);
    case Kind::Service:
        *arguments = {{u"service"_s, name}};
        return Operations::find(u"service_status"_s);
    case Kind::Logs:
        *arguments = {{u"service"_s, name}, {u"lines"_s, LogLines}};
        return Operations::find(u"logs"_s);
    case Kind::History:
        *arguments = {{u"service"_s, name}};
        return Operations::find(u"history"_s);
    case Kind::Registry:
    case Kind::Hosts:
    case Kind::Host:
        return nullptr;
    }
    return nullptr;
}

QJsonArray McpResource::list(const Registry &registry)
{
    QJsonArray out{
        resource(Scheme + u"registry"_s, u"registry"_s, u"Registry"_s,
                 u"The running registry, resolved: hosts, services and their settings"_s),
        resource(Scheme + u"services"_s, u"services"_s, u"Services"_s,
                 u"Every service with its host and the state last observed"_s),
        resource(Scheme + u"hosts"_s, u"hosts"_s, u"Hosts"_s,
                 u"Every host with what was last observed of it"_s),
    };
    for (const Host &h : registry.hosts)
        out.append(resource(hostUri(h.name), u"host "_s + h.name, h.name,
                            u"Host %1 (%2)"_s.arg(h.name, h.ip)));
    for (const Service &s : registry.services)
        out.append(resource(
            serviceUri(s.name), u"service "_s + s.name, s.name,
            u"Service %1 on %2: settings and last observed state"_s.arg(s.name, s.currentHost)));
    return out;
}

QJsonArray McpResource::templates()
{
    auto entry = [](const QString &uriTemplate, const QString &name, const QString &description) {
        return QJsonObject{{u"uriTemplate"_s, uriTemplate},
                           {u"name"_s, name},
                           {u"title"_s, name},
                           {u"description"_s, description},
                           {u"mimeType"_s, u"application/json"_s}};
    };
    return {
        entry(Scheme + u"services/{service}"_s, u"Service"_s,
              u"One service's settings and last observed state"_s),
        entry(Scheme + u"services/{service}/logs"_s, u"Service log"_s,
              u"The last %1 lines of a service's log, read from its host"_s.arg(LogLines)),
        entry(Scheme + u"services/{service}/history"_s, u"Deployment history"_s,
              u"A service's deployment records, newest first"_s),
        entry(Scheme + u"hosts/{host}"_s, u"Host"_s, u"One host and what was last observed"_s),
    };
}

QStringList McpResource::complete(const Registry &registry, const QString &argument,
                                  const QString &prefix)
{
    QStringList names;
    if (argument == u"service" || argument == u"services")
        names = registry.services.keys();
    else if (argument == u"host")
        names = registry.hosts.keys();
    QStringList out;
    for (const QString &n : std::as_const(names)) {
        if (n.startsWith(prefix, Qt::CaseInsensitive))
            out << n;
        if (out.size() == MaxCompletions)
            break;
    }
    return out;
}

QStringList McpResource::changedBy(const ApiEvent &event, const Registry &registry,
                                   const std::function<QStringList(const QString &)> &jobServices)
{
    const QString services = Scheme + u"services"_s;
    const QString hosts = Scheme + u"hosts"_s;
    const QString registryUri = Scheme + u"registry"_s;
    QStringList out;
    if (event.type == u"registry") {
        QStringList all;
        all << registryUri << services << hosts;
        for (const Service &s : registry.services)
            all << serviceUri(s.name) << serviceUri(s.name) + u"/history"_s;
        for (const Host &h : registry.hosts)
            all << hostUri(h.name);
        return all;
    }
    if (event.type == u"health") {
        const QString name = event.data.value(u"name"_s).toString();
        const QString host = event.data.value(u"host"_s).toString();
        out << services << serviceUri(name) << hosts << hostUri(host);
        return out;
    }
    if (event.type == u"heal") {
        const QString name = event.data.value(u"service"_s).toString();
        out << services;
        if (!name.isEmpty())
            out << serviceUri(name);
        return out;
    }
    const QString state = event.data.value(u"state"_s).toString();
    if (event.type == u"job" && (state == u"succeeded" || state == u"failed")) {
        QStringList named = jobServices(event.data.value(u"job"_s).toString());
        if (named.isEmpty())
            named = registry.services.keys();
        out << services << hosts << registryUri; // a move edits the registry
        for (const QString &s : std::as_const(named))
            out << serviceUri(s) << serviceUri(s) + u"/history"_s;
        return out;
    }
    return out;
}

} // namespace Portoser
