// SPDX-License-Identifier: Apache-2.0
#include "server/McpPrompts.h"

#include <QJsonDocument>

namespace Portoser::McpPrompts {

using namespace Qt::Literals::StringLiterals;

namespace {

struct Argument
{
    QString name;
    QString description;
    bool required = true;
};

struct Prompt
{
    QString name;
    QString title;
    QString description;
    QList<Argument> arguments;
};

const QList<Prompt> &prompts()
{
    static const QList<Prompt> all{
        {u"investigate_outage"_s,
         u"Investigate an outage"_s,
         u"Find out why a service is down or unhealthy and propose the smallest fix, without "
         "changing anything until the operator agrees."_s,
         {{u"service"_s, u"The service that is down or unhealthy"_s}}},
        {u"plan_move"_s,
         u"Plan a move"_s,
         u"Check whether a service can move to another host and show the plan, with what "
         "stays behind and what depends on it."_s,
         {{u"service"_s, u"The service to move"_s}, {u"host"_s, u"The host to move it to"_s}}},
        {u"review_deploy_plan"_s,
         u"Review a deploy plan"_s,
         u"Plan a deploy, read the config diff and risks, and deploy exactly that plan only "
         "once the operator agrees."_s,
         {{u"services"_s, u"Comma-separated services (empty: everything out of date)"_s, false}}},
    };
    return all;
}

const Prompt *find(const QString &name)
{
    for (const Prompt &p : prompts()) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

QJsonObject text(const QString &body)
{
    return {{u"role"_s, u"user"_s},
            {u"content"_s, QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, body}}}};
}

QJsonObject embedded(const QString &uri, const QJsonObject &content)
{
    return {{u"role"_s, u"user"_s},
            {u"content"_s,
             QJsonObject{{u"type"_s, u"resource"_s},
                         {u"resource"_s,
                          QJsonObject{{u"uri"_s, uri},
                                      {u"mimeType"_s, u"application/json"_s},
                                      {u"text"_s, QString::fromUtf8(QJsonDocument(content).toJson(
                                                      QJsonDocument::Compact))}}}}}};
}

} // namespace

QJsonArray list()
{
    QJsonArray out;
    for (const Prompt &p : prompts()) {
        QJsonArray args;
        for (const Argument &a : p.arguments)
            args.append(QJsonObject{{u"name"_s, a.name},
                                    {u"description"_s, a.description},
                                    {u"required"_s, a.required}});
        out.append(QJsonObject{{u"name"_s, p.name},
                               {u"title"_s, p.title},
                               {u"description"_s, p.description},
                               {u"arguments"_s, args}});
    }
    return out;
}

QString completes(const QString &prompt, const QString &argument)
{
    const Prompt *p = find(prompt);
    if (!p)
        return {};
    for (const Argument &a : p->arguments) {
        if (a.name == argument)
            return a.name == u"host" ? u"host"_s : u"service"_s;
    }
    return {};
}

Result<QJsonObject> get(const QString &name, const QJsonObject &arguments, const Registry &registry,
                        const std::function<QJsonObject(const QString &)> &serviceState)
{
    const Prompt *p = find(name);
    if (!p)
        return Error{ErrorCode::InvalidInput, u"unknown prompt: %1"_s.arg(name)};
    QMap<QString, QString> given;
    for (const Argument &a : p->arguments) {
        const QJsonValue v = arguments.value(a.name);
        if (!v.isUndefined() && !v.isString())
            return Error{ErrorCode::InvalidInput, u"argument %1 must be a string"_s.arg(a.name)};
        if (a.required && v.toString().trimmed().isEmpty())
            return Error{ErrorCode::InvalidInput,
                         u"prompt %1 needs the argument %2"_s.arg(name, a.name)};
        given.insert(a.name, v.toString().trimmed());
    }
    const QString service = given.value(u"service"_s);
    if (!service.isEmpty() && !registry.services.contains(service))
        return Error{ErrorCode::InvalidInput, registry.unknownService(service)};
    const QString host = given.value(u"host"_s);
    if (!host.isEmpty() && !registry.hosts.contains(host))
        return Error{ErrorCode::InvalidInput, u"no host called %1 in the registry"_s.arg(host)};

    QJsonArray messages;
    if (name == u"investigate_outage") {
        messages.append(text(
            u"The service %1 on host %2 is reported down or unhealthy. Its last observed state "
            "follows. Investigate before changing anything:\n"
            "1. Call `diagnose` with services [\"%1\"]: the fingerprints, evidence and the "
            "playbook the healer would run.\n"
            "2. Read portoser://services/%1/logs for its last lines, and `heal_status` for what "
            "the healer already tried.\n"
            "3. Read portoser://services/%1/history: did a recent deploy change it? "
            "`history_diff` shows what changed.\n"
            "4. Check its dependencies the same way: a dependency that is down is the cause, not "
            "the symptom.\n"
            "Then say what is wrong, with the evidence, and propose the smallest fix "
            "(`restart_service`, `rollback` to a named record, or a change to the registry). "
            "Do not call a tool that changes a host until the operator agrees."_s.arg(
                service, registry.services.value(service).currentHost)));
        messages.append(embedded(u"portoser://services/"_s + service, serviceState(service)));
    } else if (name == u"plan_move") {
        messages.append(text(
            u"Plan moving the service %1 from %2 to host %3, and change nothing yet:\n"
            "1. Read portoser://hosts/%3: is it reachable, with room on its disk and memory?\n"
            "2. Call `plan_changes` with moves [{\"service\": \"%1\", \"host\": \"%3\"}]: the "
            "plan, the config diff, and the docker volumes or data that stay behind on %2.\n"
            "3. List the services that depend on %1 (`list_services`): they will reach it at its "
            "new address.\n"
            "Summarise the plan and its risks. Only when the operator agrees, call "
            "`apply_changes` with the same moves (or `move_service`)."_s.arg(
                service, registry.services.value(service).currentHost, host)));
        messages.append(embedded(u"portoser://services/"_s + service, serviceState(service)));
    } else {
        QStringList named;
        for (const QString &s : given.value(u"services"_s).split(u',', Qt::SkipEmptyParts)) {
            const QString trimmed = s.trimmed();
            if (!registry.services.contains(trimmed))
                return Error{ErrorCode::InvalidInput, registry.unknownService(trimmed)};
            named << u'"' + trimmed + u'"';
        }
        const QString which = named.isEmpty() ? u"everything that is out of date"_s
                                              : u"the services %1"_s.arg(named.join(u", "_s));
        messages.append(text(
            u"Review a deploy of %1 before it runs:\n"
            "1. Call `plan_deploy`%2: for each service the action (no-op, fresh, restart, update, "
            "move) and the config diff.\n"
            "2. Point out what could break: changed ports or commands, dependencies deployed in "
            "the same wave, services that would restart.\n"
            "3. If the operator agrees, call `deploy` with that plan as `plan`; it is refused if "
            "anything changed since.\n"
            "Change nothing before the operator agrees."_s.arg(
                which,
                named.isEmpty() ? QString() : u" with services [%1]"_s.arg(named.join(u", "_s)))));
    }
    return QJsonObject{{u"description"_s, p->description}, {u"messages"_s, messages}};
}

} // namespace Portoser::McpPrompts
