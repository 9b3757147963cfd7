// SPDX-License-Identifier: Apache-2.0
#include "core/registry/RegistryValidator.h"

#include "core/registry/DependencyGraph.h"
#include "core/registry/FieldRules.h"
#include "core/registry/RegistrySchema.h"

#include <QRegularExpression>
#include <QUrl>

namespace Portoser {

namespace {

using namespace Qt::Literals::StringLiterals;

void addError(IssueList &issues, const SourceLocation &where, const QString &message)
{
    issues.append({Issue::Severity::Error, where, message});
}

void addWarning(IssueList &issues, const SourceLocation &where, const QString &message)
{
    issues.append({Issue::Severity::Warning, where, message});
}

/** Applies each row's rule to the text it names, when written (empty means absent). */
template <typename Entity>
void checkRules(IssueList &issues, const Entity &entity, const QString &subject,
                const RegistrySchema::Table<Entity> &table)
{
    for (const RegistrySchema::Field<Entity> &field : table) {
        const auto *member = std::get_if<QString Entity::*>(&field.slot);
        if (!field.rule || !member)
            continue;
        const QString &value = entity.**member;
        if ((!entity.fields.contains(field.key) && value.isEmpty())
            || entity.invalidFields.contains(field.key))
            continue;
        if (const auto bad = field.rule(value))
            addError(issues, entity.where(field.key), u"%1: %2 %3"_s.arg(subject, field.key, *bad));
    }
}

QString nearestName(const QString &name, const QStringList &candidates)
{
    for (const QString &c : candidates) {
        if (c.compare(name, Qt::CaseInsensitive) == 0)
            return c;
    }
    for (const QString &c : candidates) {
        if (c.startsWith(name) || name.startsWith(c))
            return c;
    }
    return {};
}

QString unknownNameMessage(const QString &what, const QString &name, const QStringList &known)
{
    const QString guess = nearestName(name, known);
    if (!guess.isEmpty())
        return u"%1 \"%2\" is not defined (did you mean \"%3\"?)"_s.arg(what, name, guess);
    constexpr qsizetype Shown = 8;
    QString list = known.isEmpty() ? u"none"_s : QStringList(known.mid(0, Shown)).join(u", "_s);
    if (known.size() > Shown)
        list += u", … (%1 more)"_s.arg(known.size() - Shown);
    return u"%1 \"%2\" is not defined; defined: %3"_s.arg(what, name, list);
}

bool isKnownArch(const QString &arch)
{
    static const QRegularExpression re(u"^((arm64|amd64)-(apple|linux)|[a-z0-9]+/[a-z0-9_]+)$"_s);
    return re.match(arch).hasMatch();
}

/** What each deployment type needs in order to be started at all. */
void checkTypeNeeds(const Service &s, const QString &subject, IssueList &issues)
{
    const bool hasServiceFile = !s.serviceFilePath.isEmpty();
    switch (s.type) {
    case DeploymentType::Process:
        if (s.command.isEmpty() && s.fields.contains(u"deployment_type"_s))
            addError(issues, s.where(u"deployment_type"_s),
                     u"%1: a process service needs \"command\""_s.arg(subject));
        break;
    case DeploymentType::Docker:
        if (s.dockerCompose.isEmpty() && !hasServiceFile)
            addError(issues, s.where(u"deployment_type"_s),
                     u"%1: a docker service needs \"docker_compose\" (or \"service_file\")"_s.arg(
                         subject));
        break;
    case DeploymentType::Local:
    case DeploymentType::Native:
        if (s.command.isEmpty() && !hasServiceFile && s.restartCommand.isEmpty())
            addError(issues, s.where(u"deployment_type"_s),
                     u"%1: a %2 service needs \"service_file\" or \"command\""_s.arg(
                         subject, toString(s.type)));
        break;
    }
}

} // namespace

IssueList RegistryValidator::validate(const Registry &registry) const
{
    IssueList issues;
    if (!registry.domain.isEmpty()) {
        if (const auto bad = FieldRules::checkHostname(registry.domain))
            addError(issues, registry.domainLocation, u"registry: domain %1"_s.arg(*bad));
    }
    for (const Host &host : registry.hosts)
        checkHost(host, issues);
    for (const Service &service : registry.services)
        checkService(registry, service, issues);
    checkPorts(registry, issues);
    checkDependencies(registry, issues);
    checkCaddy(registry, issues);
    return issues;
}

void RegistryValidator::checkHost(const Host &host, IssueList &issues) const
{
    const QString subject = u"host \"%1\""_s.arg(host.name);
    if (const auto bad = FieldRules::checkName(host.name))
        addError(issues, host.location, u"host name %1"_s.arg(*bad));

    const bool local = host.transportExplicit && host.transport == TransportKind::Local;
    if (!local && !host.fields.contains(u"ip"_s) && !host.fields.contains(u"ssh_hostname"_s))
        addError(issues, host.location,
                 u"%1: missing required field \"ip\" (or \"ssh_hostname\")"_s.arg(subject));
    if (!host.fields.contains(u"path"_s))
        addError(
            issues, host.location,
            u"%1: missing required field \"path\" (the base directory on the host)"_s.arg(subject));

    checkRules(issues, host, subject, RegistrySchema::hostFields());
    for (const QString &role : host.roles) {
        if (const auto bad = FieldRules::checkName(role))
            addError(issues, host.where(u"roles"_s), u"%1: role %2"_s.arg(subject, *bad));
    }
    if (!host.arch.isEmpty() && !isKnownArch(host.arch))
        addWarning(
            issues, host.where(u"arch"_s),
            u"%1: arch \"%2\" is not one of arm64-apple, arm64-linux, amd64-linux or os/arch; "
            "architecture checks will not protect it"_s.arg(subject, host.arch));
}

void RegistryValidator::checkService(const Registry &registry, const Service &s,
                                     IssueList &issues) const
{
    const QString subject = u"service \"%1\""_s.arg(s.name);
    if (const auto bad = FieldRules::checkName(s.name))
        addError(issues, s.location, u"service name %1"_s.arg(*bad));

    if (!s.fields.contains(u"current_host"_s)) {
        addError(issues, s.location, u"%1: missing required field \"current_host\""_s.arg(subject));
    } else if (!s.currentHost.isEmpty() && !registry.hosts.contains(s.currentHost)) {
        if (const auto bad = FieldRules::checkName(s.currentHost))
            addError(issues, s.where(u"current_host"_s),
                     u"%1: current_host %2"_s.arg(subject, *bad));
        else
            addError(issues, s.where(u"current_host"_s),
                     u"%1: %2"_s.arg(subject, unknownNameMessage(u"current_host"_s, s.currentHost,
                                                                 registry.hosts.keys())));
    }
    if (!s.fields.contains(u"deployment_type"_s))
        addError(
            issues, s.location,
            u"%1: missing required field \"deployment_type\" (process, local, native or docker)"_s
                .arg(subject));

    if (!s.invalidFields.contains(u"deployment_type"_s))
        checkTypeNeeds(s, subject, issues);

    checkRules(issues, s, subject, RegistrySchema::serviceFields());
    for (const QString &tag : s.tags) {
        if (const auto bad = FieldRules::checkName(tag))
            addError(issues, s.where(u"tags"_s), u"%1: tag %2"_s.arg(subject, *bad));
    }
    if (s.serviceFile) {
        const ServiceFile &sf = *s.serviceFile;
        if (!sf.workingDir.isEmpty()) {
            if (const auto bad = FieldRules::checkPath(sf.workingDir))
                addError(issues, {sf.path},
                         u"%1: service_file working_dir %2"_s.arg(subject, *bad));
        }
        if (!sf.envFile.isEmpty()) {
            if (const auto bad = FieldRules::checkPath(sf.envFile))
                addError(issues, {sf.path}, u"%1: service_file env_file %2"_s.arg(subject, *bad));
        }
    }
    for (const QString &command :
         {s.command, s.restartCommand, s.healthcheckCommand, s.health.command}) {
        if (command.contains(QChar(u'\0')))
            addError(issues, s.location, u"%1: a command contains a NUL byte"_s.arg(subject));
    }

    if (!s.healthcheckUrl.isEmpty()) {
        const QUrl url(s.healthcheckUrl, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s)
            || url.host().isEmpty())
            addError(issues, s.where(u"healthcheck_url"_s),
                     u"%1: healthcheck_url \"%2\" is not an http(s) URL"_s.arg(subject,
                                                                               s.healthcheckUrl));
    }
    const HealthCheck &h = s.health;
    if ((h.type == HealthCheck::Type::Http || h.type == HealthCheck::Type::Tcp) && !h.port
        && !s.effectivePort())
        addError(issues, s.where(u"health.type"_s),
                 u"%1: an %2 health check needs a port (health.port or the service's port)"_s.arg(
                     subject, h.type == HealthCheck::Type::Http ? u"http"_s : u"tcp"_s));
    if (h.type == HealthCheck::Type::Command && h.command.isEmpty())
        addError(issues, s.where(u"health.type"_s),
                 u"%1: a command health check needs health.command"_s.arg(subject));
    if (s.fields.contains(u"health.path"_s) && !h.path.startsWith(u'/'))
        addError(issues, s.where(u"health.path"_s),
                 u"%1: health.path must start with '/', not \"%2\""_s.arg(subject, h.path));

    static const QRegularExpression secretRef(
        u"^(?:(vault|local):)?([A-Za-z0-9_./-]+)#([A-Za-z0-9_.-]+)$"_s);
    for (auto it = s.secrets.cbegin(); it != s.secrets.cend(); ++it) {
        const auto match = secretRef.match(it.value());
        if (!match.hasMatch() || match.captured(2).split(u'/').contains(u".."_s))
            addError(
                issues, s.where(u"secrets"_s),
                u"%1: secret %2 must reference PATH#KEY (optionally vault: or local:), not \"%3\""_s
                    .arg(subject, it.key(), it.value()));
        if (s.env.contains(it.key()))
            addError(issues, s.where(u"secrets"_s),
                     u"%1: %2 is set in both env and secrets; keep one"_s.arg(subject, it.key()));
    }
    static const QStringList pythonManagers = {u"uv"_s, u"venv"_s, u"pip"_s, u"poetry"_s,
                                               u"system"_s};
    if (!s.pythonManager.isEmpty() && !pythonManagers.contains(s.pythonManager))
        addError(issues, s.where(u"python_manager"_s),
                 u"%1: python_manager must be one of %2, not \"%3\""_s.arg(
                     subject, pythonManagers.join(u", "_s), s.pythonManager));
}

void RegistryValidator::checkPorts(const Registry &registry, IssueList &issues) const
{
    // Ports belong to machines: two registry hosts with one address (two base paths on one box,
    // like the demo) share them. The registry maps iterate by name: the first service keeps the
    // port.
    QHash<QString, const Service *> taken; // "machine:port" -> first service using it
    for (const Service &s : registry.services) {
        const auto port = s.effectivePort();
        const Host *host = registry.host(s.currentHost);
        if (!port || !host)
            continue;
        const QString machine = host->address().isEmpty() ? host->name : host->address().toLower();
        const QString key = machine + u':' + QString::number(*port);
        if (const Service *other = taken.value(key)) {
            const QString where = other->currentHost == s.currentHost
                                      ? u"host \"%1\""_s.arg(s.currentHost)
                                      : u"host \"%1\" (the same machine as \"%2\")"_s.arg(
                                          s.currentHost, other->currentHost);
            addError(issues, s.where(u"port"_s),
                     u"service \"%1\": port %2 on %3 is already used by service \"%4\" (%5)"_s.arg(
                         s.name, QString::number(*port), where, other->name,
                         other->where(u"port"_s).toString()));
        } else {
            taken.insert(key, &s);
        }
    }
}

void RegistryValidator::checkDependencies(const Registry &registry, IssueList &issues) const
{
    // "Did you mean" compares a name with every service: only for the first few unknown names,
    // so a registry naming thousands of them is checked in linear time.
    constexpr int Suggested = 20;
    int unknown = 0;
    const QStringList known = registry.services.keys();
    for (const Service &s : registry.services) {
        for (const QString &dep : s.allDependencies()) {
            if (registry.services.contains(dep))
                continue;
            const QString subject = u"service \"%1\""_s.arg(s.name);
            if (const auto bad = FieldRules::checkName(dep))
                addError(issues, s.where(u"dependencies"_s),
                         u"%1: dependency %2"_s.arg(subject, *bad));
            else if (++unknown <= Suggested)
                addError(issues, s.where(u"dependencies"_s),
                         u"%1: %2"_s.arg(subject, unknownNameMessage(u"dependency"_s, dep, known)));
            else
                addError(issues, s.where(u"dependencies"_s),
                         u"%1: unknown dependency \"%2\""_s.arg(subject, dep));
        }
    }
    for (const QStringList &cycle : DependencyGraph(registry).cycles()) {
        const Service *first = registry.service(cycle.first());
        addError(
            issues, first->where(u"dependencies"_s),
            u"dependency cycle: %1; no deploy order exists until one of these dependencies is removed"_s
                .arg(cycle.join(u" → "_s)));
    }
}

void RegistryValidator::checkCaddy(const Registry &registry, IssueList &issues) const
{
    const CaddySettings &c = registry.caddy;
    if (!c.present)
        return;
    if (!c.ingressHost.isEmpty() && !registry.hosts.contains(c.ingressHost))
        addError(issues, c.where(u"ingress_host"_s),
                 u"caddy: %1"_s.arg(
                     unknownNameMessage(u"ingress_host"_s, c.ingressHost, registry.hosts.keys())));
    if (!c.adminEndpoint.isEmpty()) {
        const QUrl url(c.adminEndpoint, QUrl::StrictMode);
        if (!url.isValid() || url.scheme() != u"http"_s || url.host().isEmpty())
            addError(issues, c.where(u"admin_endpoint"_s),
                     u"caddy: admin_endpoint \"%1\" is not an http:// URL"_s.arg(c.adminEndpoint));
    }
}

} // namespace Portoser
