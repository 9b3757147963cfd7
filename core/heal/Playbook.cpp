// SPDX-License-Identifier: Apache-2.0
#include "core/heal/Playbook.h"

#include "core/heal/Diagnosis.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

QString PlaybookStep::describe() const
{
    if (!command.isEmpty())
        return u"command: "_s + command;
    return kill ? action + u" (kill)"_s : action;
}

QString Playbook::stepsText() const
{
    QStringList parts;
    for (const PlaybookStep &s : steps)
        parts.append(s.describe());
    return parts.join(u" → "_s);
}

QJsonObject toJson(const Playbook &p)
{
    QJsonArray steps;
    for (const PlaybookStep &s : p.steps) {
        QJsonObject o;
        if (s.command.isEmpty())
            o.insert(u"action"_s, s.action);
        else
            o.insert(u"command"_s, s.command);
        if (s.kill)
            o.insert(u"kill"_s, true);
        steps.append(o);
    }
    return {{u"name"_s, p.name},
            {u"fingerprint"_s, p.fingerprint},
            {u"description"_s, p.description},
            {u"services"_s, QJsonArray::fromStringList(p.services)},
            {u"origin"_s, p.origin},
            {u"steps"_s, steps}};
}

namespace Playbooks {

QStringList actions()
{
    return {u"restart"_s, u"start_dependency"_s, u"clear_pid"_s, u"free_port"_s,
            u"prune"_s,   u"reset_failed"_s,     u"wait"_s,      u"report"_s};
}

QStringList placeholders()
{
    return {u"service"_s, u"host"_s, u"port"_s,        u"pid"_s,
            u"release"_s, u"base"_s, u"service_dir"_s, u"holder_pid"_s};
}

QList<Playbook> builtIn()
{
    const auto make = [](const QString &fingerprint, const QString &description,
                         const QStringList &actions) {
        Playbook p;
        p.name = u"builtin-"_s + fingerprint;
        p.fingerprint = fingerprint;
        p.description = description;
        p.origin = u"built-in"_s;
        for (const QString &a : actions)
            p.steps.append({a, {}, false, {}});
        return p;
    };
    return {
        make(Fingerprint::ProcessDead,
             u"Clear a failed systemd unit, then restart (with backoff, within the budget)."_s,
             {u"reset_failed"_s, u"restart"_s}),
        make(Fingerprint::CrashLoop,
             u"Restart with exponential backoff until the restart budget is spent, then give up."_s,
             {u"restart"_s}),
        make(Fingerprint::StalePid, u"Remove the stale pid file, then start the service."_s,
             {u"clear_pid"_s, u"restart"_s}),
        make(Fingerprint::PortHeld,
             u"Report the process holding the port; it is killed only by a playbook that says "
             "so on a service whose registry entry allows it (heal.kill_port_holder)."_s,
             {u"free_port"_s}),
        make(Fingerprint::DiskFull,
             u"Prune releases beyond the current and previous one, and truncate large logs."_s,
             {u"prune"_s}),
        make(Fingerprint::DependencyUnhealthy, u"Heal the dependency first."_s,
             {u"start_dependency"_s}),
        make(Fingerprint::HostUnreachable,
             u"Wait and look again on the next pass; nothing is restarted meanwhile."_s,
             {u"wait"_s}),
        make(Fingerprint::SshDenied, u"Report: an operator must fix keys or accounts."_s,
             {u"report"_s}),
        make(Fingerprint::DockerDown, u"Report: the docker daemon must be started."_s,
             {u"report"_s}),
        make(Fingerprint::HealthFailing, u"Restart (with backoff, within the budget)."_s,
             {u"restart"_s}),
    };
}

const Playbook *choose(const QList<Playbook> &operators, const QList<Playbook> &builtIns,
                       const QString &fingerprint, const QString &service)
{
    const Playbook *general = nullptr;
    for (const Playbook &p : operators) {
        if (p.fingerprint != fingerprint || !p.appliesTo(service))
            continue;
        if (!p.services.isEmpty())
            return &p;
        if (!general)
            general = &p;
    }
    if (general)
        return general;
    for (const Playbook &p : builtIns) {
        if (p.fingerprint == fingerprint)
            return &p;
    }
    return nullptr;
}

IssueList validate(const Playbook &p)
{
    IssueList issues;
    const auto error = [&](const SourceLocation &where, const QString &message) {
        issues.append({Issue::Severity::Error, where, message});
    };
    const QString subject = u"playbook %1"_s.arg(p.name.isEmpty() ? p.where.file : p.name);
    if (p.name.isEmpty())
        error(p.where, u"%1: needs a name"_s.arg(subject));
    if (p.fingerprint.isEmpty())
        error(p.where, u"%1: needs a fingerprint (one of %2)"_s.arg(
                           subject, Fingerprint::all().join(u", "_s)));
    else if (!Fingerprint::isKnown(p.fingerprint))
        error(p.fingerprintWhere.isValid() ? p.fingerprintWhere : p.where,
              u"%1: unknown fingerprint \"%2\" (known: %3)"_s.arg(
                  subject, p.fingerprint, Fingerprint::all().join(u", "_s)));
    if (p.steps.isEmpty())
        error(p.where, u"%1: needs at least one step"_s.arg(subject));
    static const QRegularExpression placeholder(u"\\{([^{}]*)\\}"_s);
    for (const PlaybookStep &s : p.steps) {
        if (s.command.isEmpty() == s.action.isEmpty()) {
            error(s.where, u"%1: a step is either an action or a command"_s.arg(subject));
            continue;
        }
        if (!s.action.isEmpty() && !actions().contains(s.action))
            error(s.where, u"%1: unknown action \"%2\" (known: %3)"_s.arg(subject, s.action,
                                                                          actions().join(u", "_s)));
        if (s.kill && s.action != u"free_port"_s)
            error(s.where, u"%1: kill applies only to free_port"_s.arg(subject));
        for (auto m = placeholder.globalMatch(s.command); m.hasNext();) {
            const QString name = m.next().captured(1);
            if (!placeholders().contains(name))
                error(s.where, u"%1: unknown placeholder {%2} (known: %3)"_s.arg(
                                   subject, name, placeholders().join(u", "_s)));
        }
    }
    return issues;
}

} // namespace Playbooks

} // namespace Portoser
