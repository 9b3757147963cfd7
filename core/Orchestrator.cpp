// SPDX-License-Identifier: Apache-2.0
#include "core/Orchestrator.h"

#include "core/crypto/SecretCipher.h"
#include "core/deploy/ConfigDiff.h"
#include "core/deploy/RemoteScripts.h"
#include "core/deploy/ServiceObserver.h"
#include "core/heal/HealStore.h"
#include "core/registry/DependencyGraph.h"
#include "core/registry/RegistryEditor.h"
#include "core/registry/RegistryLoader.h"
#include "core/registry/RegistryValidator.h"
#include "core/secrets/Keychain.h"
#include "core/secrets/LocalSecretStore.h"
#include "core/secrets/VaultSecretStore.h"
#include "core/tls/CaddyAdmin.h"
#include "core/tls/CaddyConfig.h"
#include "core/tls/CertificateAuthority.h"
#include "core/tls/RouteCheck.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QUrl>

#include <algorithm>
#include <tuple>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

CheckedRegistry validated(CheckedRegistry loaded)
{
    loaded.issues += RegistryValidator().validate(loaded.registry);
    // Report in file order, so the output reads top to bottom like the file.
    std::stable_sort(loaded.issues.begin(), loaded.issues.end(),
                     [](const Issue &a, const Issue &b) {
                         return std::tie(a.where.file, a.where.line, a.where.column)
                                < std::tie(b.where.file, b.where.line, b.where.column);
                     });
    return loaded;
}

} // namespace

Orchestrator::Orchestrator(Interpolator::Lookup environment, OrchestratorSettings settings)
    : m_environment(std::move(environment))
    , m_settings(std::move(settings))
    , m_pool(std::make_unique<HostPool>(m_settings.transport))
{}

Orchestrator::~Orchestrator() = default;

void Orchestrator::setSettings(const OrchestratorSettings &settings)
{
    m_settings = settings;
    m_pool = std::make_unique<HostPool>(settings.transport);
    m_store.reset();
    m_secrets.clear(); // opened with the old backend settings
}

Result<HistoryStore *> Orchestrator::store()
{
    if (!m_store) {
        auto opened =
            HistoryStore::open(m_settings.databasePath.isEmpty() ? HistoryStore::defaultPath()
                                                                 : m_settings.databasePath);
        if (!opened)
            return opened.error();
        m_store = std::move(*opened);
    }
    return m_store.get();
}

Result<DeployPlan> Orchestrator::planDeploy(const Registry &registry, const QStringList &services,
                                            bool force)
{
    return plan(registry, PlanRequest{PlanIntent::Deploy, services, force, false});
}

Result<DeployPlan> Orchestrator::plan(const Registry &registry, const PlanRequest &request)
{
    return withEngine([&](DeployEngine &engine) { return engine.plan(registry, request); });
}

namespace {

/** The registry as it will be once `moves` (service -> host) ran. */
Result<Registry> afterMoves(Registry registry, const QMap<QString, QString> &moves)
{
    for (auto it = moves.cbegin(); it != moves.cend(); ++it) {
        auto service = registry.services.find(it.key());
        if (service == registry.services.end())
            return Error{ErrorCode::NotFound, u"no service named %1"_s.arg(it.key())};
        service->currentHost = it.value();
    }
    return registry;
}

} // namespace

Result<QList<PlannedService>> Orchestrator::planChanges(const Registry &registry,
                                                        const ChangeSet &changes)
{
    // Redeploys are planned on the registry as the moves leave it, as deployChanges runs them.
    const auto after = afterMoves(registry, changes.moves);
    if (!after)
        return after.error();
    QList<PlannedService> planned;
    if (!changes.moves.isEmpty()) {
        auto moves = planDeploy(*after, changes.moves.keys());
        if (!moves)
            return moves.error();
        planned += moves->services;
    }
    if (!changes.redeploys.isEmpty()) {
        auto redeploys = planDeploy(*after, changes.redeploys, true);
        if (!redeploys)
            return redeploys.error();
        planned += redeploys->services;
    }
    return planned;
}

ChangeResults Orchestrator::deployChanges(const Registry &registry, const ChangeSet &changes,
                                          DeployOptions options, const ProgressFn &progress)
{
    // Each change runs on the registry as the ones before it left it: a later change that
    // includes a moved service (as a dependency) must not see it where it was.
    ChangeResults results;
    Registry current = registry;
    const auto notStarted = [&results](const QString &what) {
        results.refused.append(u"%1: cancelled before it started"_s.arg(what));
    };
    for (auto it = changes.moves.cbegin(); it != changes.moves.cend(); ++it) {
        if (options.isCancelled()) {
            notStarted(it.key());
            continue;
        }
        auto moved = move(current, it.key(), it.value(), options, progress);
        if (!moved) {
            results.refused.append(u"%1: %2"_s.arg(it.key(), moved.error().message));
            continue;
        }
        results.records += *moved;
        for (const DeploymentRecord &r : std::as_const(*moved)) {
            if (r.service == it.key() && r.outcome == u"succeeded"_s)
                current.services[it.key()].currentHost = it.value();
        }
    }
    if (!changes.redeploys.isEmpty()) {
        if (options.isCancelled()) {
            notStarted(changes.redeploys.join(u", "_s));
            return results;
        }
        options.force = true;
        if (auto redeployed = deploy(current, changes.redeploys, options, progress))
            results.records += *redeployed;
        else
            results.refused.append(
                u"%1: %2"_s.arg(changes.redeploys.join(u", "_s), redeployed.error().message));
    }
    return results;
}

Result<QList<DeploymentRecord>> Orchestrator::deploy(const Registry &registry,
                                                     const DeployPlan &plan,
                                                     const DeployOptions &options,
                                                     const ProgressFn &progress)
{
    if (options.autoHeal && plan.hasChanges())
        healBeforeDeploy(registry, plan, progress);
    auto records = withEngine(
        [&](DeployEngine &engine) { return engine.apply(registry, plan, options, progress); });
    if (records && options.autoHeal)
        diagnoseFailures(registry, *records, progress);
    return records;
}

Result<QList<DeploymentRecord>> Orchestrator::deploy(const Registry &registry,
                                                     const QStringList &services,
                                                     const DeployOptions &options,
                                                     const ProgressFn &progress)
{
    auto records = withEngine([&](DeployEngine &engine) -> Result<QList<DeploymentRecord>> {
        auto locked = engine.planLocked(
            registry, PlanRequest{PlanIntent::Deploy, services, options.force, false}, options);
        if (!locked)
            return locked.error();
        // What runs beyond what was named is said, with why, before anything runs.
        for (const PlannedService &p : std::as_const(locked->plan.services)) {
            if (!p.requested && p.action != PlanAction::NoOp && progress)
                progress(
                    {p.service, p.host, u"plan"_s, u"%1 too: %2"_s.arg(toString(p.action), p.why)});
        }
        if (options.autoHeal && locked->plan.hasChanges())
            healBeforeDeploy(registry, locked->plan, progress);
        return engine.apply(registry, *locked, options, progress);
    });
    if (records && options.autoHeal)
        diagnoseFailures(registry, *records, progress);
    return records;
}

void Orchestrator::healBeforeDeploy(const Registry &registry, const DeployPlan &plan,
                                    const ProgressFn &progress)
{
    // What a deploy cannot fix by itself and would fail on: a full disk where the release goes
    // (pruned first), a foreign process on a port it is about to start on (named up front).
    // Dead or unhealthy services are the plan's own restarts.
    QStringList changed;
    for (const PlannedService &p : plan.services) {
        if (p.action != PlanAction::NoOp)
            changed.append(p.service);
    }
    HealOptions options;
    options.services = changed;
    options.fingerprints = {Fingerprint::DiskFull, Fingerprint::PortHeld};
    if (!plan.observed.isEmpty())
        options.observed = plan.observed;
    const auto report = heal(registry, options);
    if (!report || !progress)
        return;
    for (const HealAction &a : report->actions)
        progress(
            {a.service, a.host, u"heal"_s,
             u"%1: %2 %3%4"_s.arg(a.fingerprint, a.step, a.outcome,
                                  a.detail.isEmpty() ? QString() : u" ("_s + a.detail + u')')});
}

void Orchestrator::diagnoseFailures(const Registry &registry,
                                    const QList<DeploymentRecord> &records,
                                    const ProgressFn &progress)
{
    QStringList failed;
    for (const DeploymentRecord &r : records) {
        if (r.outcome != u"succeeded"_s)
            failed.append(r.service);
    }
    if (failed.isEmpty() || !progress)
        return;
    const auto diagnosed = diagnose(registry, failed);
    if (!diagnosed)
        return;
    for (const QString &name : failed) {
        const ServiceDiagnosis d = diagnosed->diagnosis.services.value(name);
        for (const Problem &p : d.problems)
            progress({name, d.host, u"diagnosis"_s,
                      u"%1 (%2%): %3; %4"_s.arg(p.fingerprint)
                          .arg(p.confidence)
                          .arg(p.summary, p.evidence.join(u"; "_s))});
    }
}

Result<DeploymentRecord> Orchestrator::stop(const Registry &registry, const QString &service,
                                            const QString &actor)
{
    return withEngine([&](DeployEngine &engine) { return engine.stop(registry, service, actor); });
}

Result<QList<DeploymentRecord>> Orchestrator::restart(const Registry &registry,
                                                      const PlanRequest &request,
                                                      const DeployOptions &options,
                                                      const ProgressFn &progress)
{
    auto planned = plan(registry, request);
    if (!planned)
        return planned.error();
    if (progress) {
        for (const QString &note : std::as_const(planned->notes))
            progress({{}, {}, u"note"_s, note});
    }
    return deploy(registry, *planned, options, progress);
}

std::optional<QString> Orchestrator::moveRefusal(const Registry &registry, const QString &service,
                                                 const QString &host, const ArchLookup &knownArch,
                                                 const QMap<QString, HostState> &lastSeen)
{
    const Service *s = registry.service(service);
    if (!s)
        return QStringLiteral("no service named %1").arg(service);
    const Host *to = registry.host(host);
    if (!to)
        return QStringLiteral("no host named %1").arg(host);
    if (s->currentHost == host)
        return QStringLiteral("%1 already runs on %2").arg(service, host);
    const Host *from = registry.host(s->currentHost);
    const bool archBound = s->type == DeploymentType::Local || s->type == DeploymentType::Native;
    const auto archOfHost = [&](const Host *h) {
        return !h                   ? QString()
               : !h->arch.isEmpty() ? h->arch
               : knownArch          ? knownArch(h->name)
                                    : QString();
    };
    if (archBound) {
        const QString fromArch = archOfHost(from), toArch = archOfHost(to);
        if (!fromArch.isEmpty() && !toArch.isEmpty() && fromArch != toArch)
            return QStringLiteral("%1 is a %2 service built for %3; %4 is %5")
                .arg(service, toString(s->type), fromArch, host, toArch);
    }
    if (const auto port = s->effectivePort()) {
        for (const Service *other : registry.servicesOnMachineOf(host)) {
            if (other->name != service && other->effectivePort() == port)
                return QStringLiteral("port %1 is already used on %2 by %3")
                    .arg(*port)
                    .arg(host, other->name);
        }
    }
    if (const auto seen = lastSeen.constFind(host); seen != lastSeen.cend() && !seen->reachable)
        return QStringLiteral("%1 did not answer the last observation (%2)").arg(host, seen->error);
    return std::nullopt;
}

Result<QList<DeploymentRecord>> Orchestrator::move(const Registry &registry, const QString &service,
                                                   const QString &host,
                                                   const DeployOptions &options,
                                                   const ProgressFn &progress)
{
    // Arches the registry leaves out are those the hosts reported; a host never contacted is
    // asked now (one round trip), so a local/native service never lands on another arch.
    auto history = store();
    if (!history)
        return history.error();
    const auto knownArch = [&](const QString &name) {
        QString arch = (*history)->hostArch(name);
        if (arch.isEmpty() && registry.host(name)) {
            for (const HostState &h : observe(registry, {}, {name}))
                arch = archOf(h.os, h.arch);
            if (!arch.isEmpty())
                (void)(*history)->recordHostArch(name, arch);
        }
        return arch;
    };
    if (const auto refusal = moveRefusal(registry, service, host, knownArch))
        return Error{ErrorCode::InvalidInput,
                     QStringLiteral("cannot move %1 to %2: %3").arg(service, host, *refusal)};
    Registry moved = registry;
    const Service original = *registry.service(service);
    moved.services[service].currentHost = host;
    auto plan = planDeploy(moved, {service});
    if (!plan)
        return plan.error();
    for (PlannedService &p : plan->services) {
        if (p.service == service && p.action != PlanAction::Move) {
            p.action = PlanAction::Move; // nothing recorded yet on the old host: still a move
            p.fromHost = original.currentHost;
            p.why = QStringLiteral("moves from %1 to %2").arg(original.currentHost, host);
        }
    }
    auto records = deploy(moved, *plan, options, progress);
    if (!records)
        return records;
    for (const DeploymentRecord &r : *records) {
        if (r.service != service)
            continue;
        if (r.outcome != QStringLiteral("succeeded"))
            return records; // still on the old host; the registry is left as it was
        if (auto edited = RegistryEditor::setCurrentHost(original, host); !edited)
            return Error{
                edited.error().code,
                QStringLiteral("%1 now runs on %2, but the registry could not be updated: %3")
                    .arg(service, host, edited.error().message)};
        updateProxyRoute(moved, *moved.service(service), progress);
    }
    return records;
}

Result<CertificateInfo> Orchestrator::issueCertificate(const Registry &registry,
                                                       const QString &service, bool client,
                                                       KeyType keyType, int days)
{
    const Service *s = registry.service(service);
    if (!s)
        return Error{ErrorCode::NotFound, u"no service %1 in %2"_s.arg(service, registry.path)};
    CertificateRequest request;
    if (client)
        request.commonName = s->hostname.isEmpty() ? s->name : s->hostname;
    else
        request = CertificateAuthority::serverRequest(registry, *s);
    request.client = client;
    request.keyType = keyType;
    if (days > 0)
        request.validityDays = days;
    // Kept per registry: another registry's service of the same name has certificates of its own.
    return certificateAuthority().issue(CertificateAuthority::registryId(registry), s->name,
                                        request);
}

Result<QString> Orchestrator::keepCaKeyInSecrets()
{
    auto store = secrets();
    if (!store)
        return store.error();
    return certificateAuthority().moveKeyToStore((*store)->kind() + u":portoser/ca#key"_s);
}

CertificateAuthority Orchestrator::certificateAuthority()
{
    CertificateAuthority ca;
    // The key may live in the secrets store (`certs init-ca --key-in-secrets`), fetched only to
    // sign and never written to disk.
    const auto backendOf =
        [this](const QString &reference) -> Result<std::pair<SecretsBackend *, SecretReference>> {
        const auto ref = SecretReference::parse(reference);
        if (!ref)
            return Error{ErrorCode::InvalidInput,
                         u"%1 is not a secret reference (PATH#KEY)"_s.arg(reference)};
        auto backend = secrets(ref->backend);
        if (!backend)
            return backend.error();
        return std::pair{*backend, *ref};
    };
    ca.setKeyStore({[backendOf](const QString &reference, const QByteArray &pem) -> Result<void> {
                        auto at = backendOf(reference);
                        if (!at)
                            return at.error();
                        auto put =
                            at->first->put(at->second.path, at->second.key, QString::fromUtf8(pem));
                        if (!put)
                            return put.error();
                        return {};
                    },
                    [backendOf](const QString &reference) -> Result<QByteArray> {
                        auto at = backendOf(reference);
                        if (!at)
                            return at.error();
                        auto value = at->first->get(at->second.path, at->second.key);
                        if (!value)
                            return value.error();
                        return value->toUtf8();
                    }});
    return ca;
}

Result<QString> Orchestrator::trustCertificateAuthority(const Registry &registry,
                                                        const QString &hostName)
{
    const Host *host = registry.host(hostName);
    if (!host)
        return Error{ErrorCode::NotFound, u"no host named %1"_s.arg(hostName)};
    const CertificateAuthority ca;
    QFile file(ca.caCertFile());
    if (!file.open(QIODevice::ReadOnly))
        return Error{
            ErrorCode::NotFound,
            u"no internal CA at %1: run `portoser --cli certs init-ca`"_s.arg(file.fileName())};
    const QByteArray pem = file.readAll();
    // Named by the CA's fingerprint: two coordinators' CAs never replace each other's file.
    const QString name = u"portoser-ca-%1.crt"_s.arg(QString::fromLatin1(
        QCryptographicHash::hash(pem, QCryptographicHash::Sha256).toHex().left(12)));
    const QString script = RemoteScripts::trustCa(pem, name);
    auto ran = m_pool->worker(*host).runScript(script, std::chrono::seconds(60));
    if (!ran)
        return ran.error();
    const QString where = RemoteScripts::parseKeyValues(ran->out).value(u"trusted"_s);
    if (ran->exitCode != 0 || where.isEmpty())
        return Error{ran->exitCode == 77 ? ErrorCode::PermissionDenied : ErrorCode::Failed,
                     u"%1: the CA could not be added to the trust store: %2"_s.arg(
                         host->name, QString::fromUtf8(ran->err).trimmed())};
    return where;
}

Result<QStringList> Orchestrator::installCertificates(const Registry &registry,
                                                      const QString &service)
{
    const Service *s = registry.service(service);
    const Host *host = s ? registry.host(s->currentHost) : nullptr;
    if (!host)
        return Error{ErrorCode::NotFound, u"no service %1 on a known host"_s.arg(service)};
    const QString dir = CertificateAuthority().serviceDir(registry, *s);
    QList<RemoteScripts::RemoteFile> files;
    for (const QString &name :
         {u"ca.crt"_s, u"server.crt"_s, u"server.key"_s, u"client.crt"_s, u"client.key"_s}) {
        QFile file(dir + u'/' + name);
        if (file.open(QIODevice::ReadOnly))
            files.append({name, file.readAll(), name.endsWith(u".key"_s)});
    }
    if (files.size() < 2)
        return Error{
            ErrorCode::NotFound,
            u"nothing issued for %1 yet: run `portoser --cli certs issue %1`"_s.arg(service)};
    const QString script = RemoteScripts::installFiles(*host, service, u"tls"_s, files);
    auto ran = m_pool->worker(*host).runScript(script, std::chrono::seconds(30));
    if (!ran)
        return ran.error();
    if (ran->exitCode != 0)
        return Error{ErrorCode::Failed, u"%1: installing certificates failed: %2"_s.arg(
                                            host->name, QString::fromUtf8(ran->err).trimmed())};
    QStringList paths;
    for (const QByteArray &line : ran->out.split('\n')) {
        if (line.startsWith("installed="))
            paths.append(QString::fromUtf8(line.mid(10)));
    }
    return paths;
}

Result<QList<Orchestrator::Renewal>> Orchestrator::renewCertificates(const Registry &registry,
                                                                     int days)
{
    CertificateAuthority ca = certificateAuthority();
    auto all = ca.list();
    if (!all)
        return all.error();
    const QString registryId = CertificateAuthority::registryId(registry);
    QList<Renewal> done;
    for (const CertificateInfo &c : std::as_const(*all)) {
        // This registry's, and the old flat layout's (renewed where they are); another
        // registry's are renewed, installed and reloaded by that registry's own `certs renew`.
        if (c.isCa || c.daysLeft() >= days || (!c.isLegacy() && c.registryId != registryId))
            continue;
        Renewal r;
        auto fresh = ca.reissue(c);
        if (!fresh) {
            r.certificate = c;
            r.error = fresh.error().message;
            done.append(r);
            continue;
        }
        r.certificate = *fresh;
        const Service *s = registry.service(c.service);
        const QString dir = QFileInfo(c.file).absolutePath();
        if (s && QFileInfo(ca.serviceDir(registry, *s)).absoluteFilePath() == dir) {
            if (auto installed = installCertificates(registry, s->name))
                r.installedOn = s->currentHost;
            else
                r.error = installed.error().message;
        }
        done.append(r);
    }
    if (!done.isEmpty() && registry.caddy.present) {
        auto wanted = caddyConfig(registry, true);
        if (!wanted)
            return wanted.error();
        if (auto loaded = CaddyAdmin(registry.caddy.adminEndpoint).load(*wanted, {}, true); !loaded)
            return loaded.error();
    }
    return done;
}

void Orchestrator::updateProxyRoute(const Registry &registry, const Service &service,
                                    const ProgressFn &progress)
{
    if (!registry.caddy.present || service.hostname.isEmpty() || !service.effectivePort())
        return;
    const QString dial = CaddyConfig::upstreamOf(registry, service);
    const auto patched = CaddyAdmin(registry.caddy.adminEndpoint)
                             .setUpstream(CaddyConfig::routeId(service.name), dial);
    // The service already runs where it should: a proxy that lags is reported, not a failure.
    if (progress)
        progress({service.name, service.currentHost, QStringLiteral("proxy"),
                  patched ? QStringLiteral("route %1 now sends %2 to %3")
                                .arg(CaddyConfig::routeId(service.name), service.hostname, dial)
                          : QStringLiteral("route not updated (%1); run `proxy apply`")
                                .arg(patched.error().message)});
}

Result<DeploymentRecord> Orchestrator::rollback(const Registry &registry, qint64 recordId,
                                                const DeployOptions &options,
                                                const ProgressFn &progress)
{
    return withEngine([&](DeployEngine &engine) {
        return engine.rollback(registry, recordId, options, progress);
    });
}

Result<QByteArray> Orchestrator::logs(const Registry &registry, const QString &service, int lines,
                                      bool follow, const OutputSink &sink,
                                      std::chrono::milliseconds timeout)
{
    const Service *s = registry.service(service);
    if (!s)
        return Error{ErrorCode::NotFound, QStringLiteral("no service named %1").arg(service)};
    const Host host = *registry.host(s->currentHost);
    const QString script = RemoteScripts::logTail(host, service, lines, follow);
    auto result =
        m_pool->worker(host)
            .submit<Result<CommandResult>>([script, sink, follow, timeout](Transport &t) {
                return t.run(script, follow ? timeout : std::chrono::milliseconds(30000), sink);
            })
            .result();
    if (!result)
        return result.error();
    if (result->exitCode != 0 && !follow)
        return Error{ErrorCode::NotFound,
                     QStringLiteral("%1 on %2: %3")
                         .arg(service, host.name, QString::fromUtf8(result->err.trimmed()))};
    return result->out;
}

QMap<QString, ServiceState> Orchestrator::status(const Registry &registry,
                                                 const QStringList &services)
{
    auto states = ServiceObserver(*m_pool).observe(
        registry, services.isEmpty() ? registry.services.keys() : services);
    // The healer's word beside the host's: a service it gave up on or backs off from (its
    // records only: no healer is built, no playbook read).
    if (auto history = store()) {
        for (ServiceState &state : states)
            Healer::describeStanding(**history, state);
    }
    return states;
}

QList<HostState> Orchestrator::observe(const Registry &registry, const QStringList &services,
                                       const QStringList &hosts, bool allPortHolders)
{
    QList<HostState> observed =
        ServiceObserver(*m_pool).observeHosts(registry, services, hosts, allPortHolders);
    if (auto history = store()) {
        for (HostState &host : observed) {
            for (ServiceState &state : host.services)
                Healer::describeStanding(**history, state);
        }
    }
    return observed;
}

QString Orchestrator::playbookDirectory() const
{
    return m_settings.playbookDirectory.isEmpty() ? PlaybookLoader::defaultDirectory()
                                                  : m_settings.playbookDirectory;
}

Result<std::unique_ptr<Healer>> Orchestrator::makeHealer(IssueList *playbookIssues)
{
    auto history = store();
    if (!history)
        return history.error();
    const auto loaded = PlaybookLoader::loadDirectory(playbookDirectory());
    if (playbookIssues)
        *playbookIssues = loaded.issues;
    auto healer = std::make_unique<Healer>(*m_pool, **history, secretAccess(), loaded.playbooks);
    return healer;
}

Result<DiagnoseResult> Orchestrator::diagnose(const Registry &registry, const QStringList &services)
{
    DiagnoseResult result;
    auto healer = makeHealer(&result.playbookIssues);
    if (!healer)
        return healer.error();
    const QStringList names = services.isEmpty() ? registry.services.keys() : services;
    result.diagnosis =
        Analyzer::analyze(registry, observe(registry, DependencyGraph(registry).closure(names)));
    HealStore heal(**store());
    for (const QString &name : names) {
        QList<Playbook> chosen;
        for (const Problem &p : result.diagnosis.services.value(name).problems) {
            const Playbook *playbook = (*healer)->playbookFor(p.fingerprint, name);
            chosen.append(playbook ? *playbook : Playbook{});
        }
        result.playbooks.insert(name, chosen);
        if (auto state = heal.state(name))
            result.healState.insert(name, *state);
    }
    return result;
}

Result<HealReport> Orchestrator::heal(const Registry &registry, const HealOptions &options,
                                      const Healer::EventSink &sink)
{
    IssueList issues;
    auto healer = makeHealer(&issues);
    if (!healer)
        return healer.error();
    auto report = (*healer)->pass(registry, options, sink);
    if (report)
        report->playbookIssues = issues;
    return report;
}

Result<QList<HealEvent>> Orchestrator::healEvents(const QString &service, int limit, qint64 afterId)
{
    return withStore([&](HistoryStore &s) { return HealStore(s).events(service, limit, afterId); });
}

Result<ServiceInsights> Orchestrator::insights(const Registry &registry, const QString &service)
{
    auto events = healEvents(service, 1000);
    if (!events)
        return events.error();
    ServiceInsights insights = ServiceInsights::from(service, *events);
    // "Down now" is the host's word, not the last event's: an operator may have fixed it since.
    if (registry.service(service))
        insights.downNow = !status(registry, {service}).value(service).isWell();
    return insights;
}

SecretAccess Orchestrator::secretAccess()
{
    return {[this](const Service &s) { return secretValues(s); },
            [this](const Service &s) { return secretVersions(s); }};
}

Result<void> Orchestrator::forEachSecret(const Service &service, const SecretFn &fn)
{
    for (auto it = service.secrets.cbegin(); it != service.secrets.cend(); ++it) {
        const QString where = u"%1: secret %2 (%3)"_s.arg(service.name, it.key(), it.value());
        const auto ref = SecretReference::parse(it.value());
        if (!ref)
            return Error{ErrorCode::InvalidInput, where + u": expected [local:|vault:]PATH#KEY"_s};
        auto backend = secrets(ref->backend);
        if (!backend)
            return Error{backend.error().code, where + u": "_s + backend.error().message};
        if (auto done = fn(it.key(), **backend, *ref); !done)
            return Error{done.error().code, where + u": "_s + done.error().message};
    }
    return {};
}

Result<QMap<QString, QString>> Orchestrator::secretValues(const Service &service)
{
    QMap<QString, QString> values;
    auto done = forEachSecret(service,
                              [&](const QString &var, SecretsBackend &backend,
                                  const SecretReference &ref) -> Result<void> {
                                  auto value = backend.get(ref.path, ref.key);
                                  if (!value)
                                      return value.error();
                                  values.insert(var, *value);
                                  return {};
                              });
    if (!done)
        return done.error();
    return values;
}

Result<QJsonObject> Orchestrator::secretVersions(const Service &service)
{
    QJsonObject versions;
    auto done = forEachSecret(service,
                              [&](const QString &var, SecretsBackend &backend,
                                  const SecretReference &ref) -> Result<void> {
                                  auto history = backend.versions(ref.path, ref.key);
                                  if (!history)
                                      return history.error();
                                  versions.insert(
                                      var, history->last().deleted ? 0 : history->last().version);
                                  return {};
                              });
    if (!done)
        return done.error();
    return versions;
}

Result<QList<MigrationStep>> Orchestrator::migrateSecrets(const Registry &registry,
                                                          const QStringList &services,
                                                          const SecretsMigrator::Options &options,
                                                          const QString &kind)
{
    for (const QString &name : services) {
        if (!registry.service(name))
            return Error{ErrorCode::NotFound, u"no service %1 in the registry"_s.arg(name)};
    }
    auto backend = secrets(kind);
    if (!backend)
        return backend.error();
    // Each service's env file, read (or removed) on its host.
    auto onHost = [this, &registry](const Service &s, const QString &program) {
        const Host *host = registry.host(s.currentHost);
        const QString path =
            RemoteScripts::envFilePath(*host, s.name, SecretsMigrator::envFileOf(s), s.workingDir);
        const QString script = program + u" -- "_s + path;
        return m_pool->worker(*host).runScript(script, std::chrono::seconds(30));
    };
    auto read = [&](const Service &s) -> Result<QByteArray> {
        auto ran = onHost(s, u"cat"_s);
        if (!ran)
            return ran.error();
        if (ran->exitCode != 0)
            return Error{ErrorCode::NotFound,
                         u"%1:%2: %3"_s.arg(s.currentHost, SecretsMigrator::envFileOf(s),
                                            QString::fromUtf8(ran->err).trimmed())};
        return ran->out;
    };
    auto remove = [&](const Service &s) -> Result<void> {
        auto ran = onHost(s, u"rm -f"_s);
        if (!ran)
            return ran.error();
        if (ran->exitCode != 0)
            return Error{ErrorCode::Failed, u"%1: cannot remove %2: %3"_s.arg(
                                                s.currentHost, SecretsMigrator::envFileOf(s),
                                                QString::fromUtf8(ran->err).trimmed())};
        return {};
    };
    SecretsMigrator::Options effective = options;
    if (!kind.isEmpty() && kind != m_settings.secrets.backend)
        effective.referencePrefix = kind + u':';
    SecretsMigrator migrator(**backend, read, remove);
    QList<MigrationStep> steps;
    for (const Service &s : registry.services) {
        if (!services.isEmpty() && !services.contains(s.name))
            continue;
        if (!registry.host(s.currentHost)) {
            steps.append({s.name,
                          {},
                          {},
                          {},
                          {},
                          {},
                          false,
                          {},
                          u"host %1 is not in the registry"_s.arg(s.currentHost)});
            continue;
        }
        steps.append(migrator.migrate(s, effective));
    }
    return steps;
}

const Host *Orchestrator::remoteIngress(const Registry &registry)
{
    const Host *host = registry.host(registry.caddy.ingressHost);
    return host && !host->isLocal() ? host : nullptr;
}

Result<QJsonObject> Orchestrator::caddyConfig(const Registry &registry, bool shipCertificates)
{
    CaddyConfig::Files files{CertificateAuthority::defaultHome(), {}};
    const Host *ingress = remoteIngress(registry);
    if (!ingress)
        return CaddyConfig::generate(registry, files);
    // Caddy runs on another machine: it reads the certificates from there, under the ingress
    // host's own .portoser/_caddy/certs/<registry id>/<service>/ (two registries' Caddys on one
    // host never read each other's). One script says where that is (its base resolved, nothing
    // written for a plan) and, when shipping, puts them there (keys 0600).
    const QString registryId = CertificateAuthority::registryId(registry);
    QString script =
        u"b=$(cd %1 && pwd -P) || exit 1\nprintf 'dir=%s/.portoser/_caddy/certs\\n' \"$b\"\n"_s.arg(
            RemoteScripts::pathExpression(ingress->path));
    if (shipCertificates) {
        for (const Service *s : CaddyConfig::routed(registry)) {
            const auto [certFile, keyFile] =
                CaddyConfig::certificateOf(registry, *s, files.certsHome);
            QFile cert(certFile), key(keyFile);
            if (!cert.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly)
                || !CaddyConfig::mismatch(*s, certFile).isEmpty())
                continue; // generate() names what is missing or wrong
            script += RemoteScripts::installFiles(
                *ingress, u"_caddy"_s, u"certs/%1/%2"_s.arg(registryId, s->name),
                {{u"server.crt"_s, cert.readAll(), false}, {u"server.key"_s, key.readAll(), true}});
        }
    }
    auto ran = m_pool->worker(*ingress).runScript(script, std::chrono::seconds(30));
    if (!ran)
        return ran.error();
    const QString dir = RemoteScripts::parseKeyValues(ran->out).value(u"dir"_s);
    if (ran->exitCode != 0 || dir.isEmpty())
        return Error{ErrorCode::Failed,
                     u"ingress host %1: cannot place the certificates for Caddy: %2"_s.arg(
                         ingress->name, QString::fromUtf8(ran->err).trimmed())};
    files.dirOnCaddy = dir + u'/' + registryId;
    return CaddyConfig::generate(registry, files);
}

Result<Orchestrator::ProxyPlan> Orchestrator::comparedWithCaddy(const Registry &registry,
                                                                const Result<QJsonObject> &wanted)
{
    if (!wanted)
        return wanted.error();
    auto running = CaddyAdmin(registry.caddy.adminEndpoint).current();
    if (!running)
        return running.error();
    ProxyPlan plan{*wanted, running->config, running->etag, {}, {}, {}};
    plan.diff = ConfigDiff::between(plan.running, plan.wanted);
    return plan;
}

Result<Orchestrator::ProxyPlan> Orchestrator::proxyPlan(const Registry &registry)
{
    return comparedWithCaddy(registry, caddyConfig(registry, false));
}

Result<Orchestrator::ProxyPlan> Orchestrator::proxyApply(const Registry &registry)
{
    // What the routes need from the internal CA and do not have yet is issued first; the CA
    // itself is made on first use, as Caddy's own internal issuer would (trusting it anywhere
    // stays the operator's decision: `certs trust`).
    QStringList issued;
    QString createdCa;
    CertificateAuthority ca = certificateAuthority();
    const auto routes = CaddyConfig::routed(registry);
    const bool needsCa = std::any_of(routes.cbegin(), routes.cend(),
                                     [](const Service *s) { return s->tlsCert.isEmpty(); });
    if (needsCa && !ca.exists()) {
        auto made = ca.init(u"Portoser internal CA"_s, KeyType::EcP256, 3650);
        if (!made)
            return made.error();
        createdCa = ca.caCertFile();
    }
    if (needsCa) {
        for (const Service *s : routes) {
            const auto [cert, key] = CaddyConfig::certificateOf(registry, *s, ca.home());
            if (s->tlsCert.isEmpty() && !QFile::exists(cert)) {
                if (auto made = issueCertificate(registry, s->name, false, KeyType::EcP256, 0);
                    !made)
                    return made.error();
                issued.append(s->name);
            }
        }
    }
    auto plan = comparedWithCaddy(registry, caddyConfig(registry, true));
    if (!plan)
        return plan;
    plan->issued = issued;
    plan->createdCa = createdCa;
    if (plan->diff.isEmpty())
        return plan;
    if (auto loaded = CaddyAdmin(registry.caddy.adminEndpoint).load(plan->wanted, plan->etag);
        !loaded)
        return loaded.error();
    QSaveFile lastGood(CertificateAuthority::defaultHome() + u"/caddy/last-good.json"_s);
    QDir().mkpath(QFileInfo(lastGood.fileName()).absolutePath());
    if (lastGood.open(QIODevice::WriteOnly)) {
        lastGood.write(QJsonDocument(plan->wanted).toJson());
        (void)lastGood.commit();
    }
    return plan;
}

QJsonObject Orchestrator::RouteStatus::toJson() const
{
    QJsonObject json{{u"service"_s, service}, {u"url"_s, url},           {u"route"_s, route},
                     {u"state"_s, state},     {u"upstream"_s, upstream}, {u"wanted"_s, wanted}};
    if (!detail.isEmpty())
        json.insert(u"detail"_s, detail);
    return json;
}

namespace {

/** Each routed service's route as the registry wants it; state and upstream not known yet. */
QList<Orchestrator::RouteStatus> wantedRoutes(const Registry &registry)
{
    QList<Orchestrator::RouteStatus> routes;
    const int port = registry.caddy.httpsPort;
    for (const Service &s : registry.services) {
        if (s.hostname.isEmpty() || !s.effectivePort())
            continue;
        Orchestrator::RouteStatus r;
        r.service = s.name;
        r.url = u"https://%1%2/"_s.arg(s.hostname, port == 443 ? QString() : u":%1"_s.arg(port));
        r.route = CaddyConfig::routeId(s.name);
        r.wanted = CaddyConfig::upstreamOf(registry, s);
        routes.append(r);
    }
    return routes;
}

/** Where this coordinator reaches Caddy's HTTPS listener: the ingress host's address, else the
 *  admin endpoint's host (loopback when that listens on every address). */
QString caddyAddress(const Registry &registry)
{
    if (const Host *ingress = registry.host(registry.caddy.ingressHost))
        return ingress->address();
    const QString endpoint = registry.caddy.adminEndpoint;
    const QString host =
        QUrl(endpoint.contains(u"://"_s) ? endpoint : u"http://"_s + endpoint).host();
    return host.isEmpty() || host == u"0.0.0.0"_s || host == u"::"_s ? u"127.0.0.1"_s : host;
}

/** A client certificate (and its key) from the internal CA for asking a route that requires
 *  one: the service's own, else any of the registry's; empty when there is none. */
QPair<QString, QString> clientCertificateFor(const Registry &registry, const Service &service)
{
    const CertificateAuthority ca;
    QStringList dirs{ca.serviceDir(registry, service)};
    const QDir mine(ca.certsDir(CertificateAuthority::registryId(registry), QString()));
    for (const QString &d : mine.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        dirs.append(mine.filePath(d));
    for (const QString &dir : std::as_const(dirs)) {
        const QString cert = dir + u"/client.crt"_s, key = dir + u"/client.key"_s;
        if (QFile::exists(cert) && QFile::exists(key))
            return {cert, key};
    }
    return {};
}

/**
 * Asks Caddy for each route whose config is right (`ok` so far) as a client would: a route Caddy
 * answers with 502, 503 or 504 (no upstream answered) or not at all is `down`, with why; one
 * that takes only client certificates this coordinator has none for is `unchecked`.
 */
void checkThroughCaddy(const Registry &registry, QList<Orchestrator::RouteStatus> &routes)
{
    const CertificateAuthority ca;
    const QList<QSslCertificate> internalCa = QSslCertificate::fromPath(ca.caCertFile());
    QList<RouteCheck::Request> requests;
    QList<Orchestrator::RouteStatus *> asked;
    for (Orchestrator::RouteStatus &r : routes) {
        const Service *s = registry.service(r.service);
        if (r.state != u"ok"_s || !s)
            continue;
        RouteCheck::Request request;
        request.hostname = s->hostname;
        const bool http =
            s->health.type == HealthCheck::Type::Http
            || (s->health.type == HealthCheck::Type::Auto && !s->healthcheckUrl.isEmpty());
        if (http && s->health.path.startsWith(u'/'))
            request.path = s->health.path; // what Caddy's own health checks ask for
        request.ownCertificate = !s->tlsCert.isEmpty();
        if (!s->caCert.isEmpty()) {
            const bool internal =
                s->caCert == u"internal"_s
                || (!internalCa.isEmpty()
                    && QSslCertificate::fromPath(s->caCert).contains(internalCa.first()));
            const auto [cert, key] =
                internal ? clientCertificateFor(registry, *s) : QPair<QString, QString>();
            if (cert.isEmpty()) {
                r.state = u"unchecked"_s;
                r.detail =
                    internal
                        ? u"the route takes only clients with a certificate from the internal CA "
                          "and this coordinator has none to ask with (`portoser --cli certs issue "
                          "%1 --client` makes one)"_s.arg(s->name)
                        : u"the route takes only clients with a certificate from %1 and this "
                          "coordinator has none to ask with"_s.arg(s->caCert);
                continue;
            }
            request.clientCertificate = cert;
            request.clientKey = key;
        }
        requests.append(request);
        asked.append(&r);
    }
    if (requests.isEmpty())
        return;
    const RouteCheck check(caddyAddress(registry), registry.caddy.httpsPort, internalCa);
    const std::vector<Result<int>> answers = check.run(requests);
    for (qsizetype i = 0; i < asked.size(); ++i) {
        Orchestrator::RouteStatus &r = *asked.at(i);
        const Result<int> &answer = answers.at(size_t(i));
        if (!answer) {
            r.state = u"down"_s;
            r.detail = answer.error().message;
        } else if (RouteCheck::upstreamFailed(*answer)) {
            r.state = u"down"_s;
            r.detail = u"Caddy at %1 answers %2 %3: its upstream %4 does not answer"_s.arg(
                check.listener(), QString::number(*answer),
                requests.at(i).hostname + requests.at(i).path, r.upstream);
        }
    }
}

} // namespace

Result<QList<Orchestrator::RouteStatus>> Orchestrator::proxyStatus(const Registry &registry)
{
    auto running = CaddyAdmin(registry.caddy.adminEndpoint).current();
    if (!running)
        return running.error();
    QMap<QString, QString> dials; // route id -> upstream Caddy dials
    const QJsonArray routes =
        running->config[u"apps"_s][u"http"_s][u"servers"_s][u"portoser"_s][u"routes"_s].toArray();
    for (const QJsonValue &r : routes)
        dials.insert(r[u"@id"_s].toString(),
                     r[u"handle"_s][0][u"upstreams"_s][0][u"dial"_s].toString());
    QList<RouteStatus> out = wantedRoutes(registry);
    for (RouteStatus &r : out) {
        r.upstream = dials.value(r.route);
        r.state = !dials.contains(r.route) ? u"missing"_s
                  : r.upstream != r.wanted ? u"stale"_s
                                           : u"ok"_s;
    }
    // The config says where a route points, not whether anything answers there.
    checkThroughCaddy(registry, out);
    return out;
}

QList<Orchestrator::RouteStatus> Orchestrator::routeStatus(const Registry &registry)
{
    auto status = proxyStatus(registry);
    if (status)
        return *status;
    QList<RouteStatus> unknown = wantedRoutes(registry);
    for (RouteStatus &r : unknown) {
        r.state = u"unknown"_s;
        r.detail = status.error().message;
    }
    return unknown;
}

QMap<QString, QStringList> Orchestrator::secretUsers(const Registry &registry,
                                                     const QString &kind) const
{
    QMap<QString, QStringList> users;
    for (const Service &s : registry.services) {
        for (const QString &text : s.secrets) {
            const auto ref = SecretReference::parse(text);
            if (ref && (ref->backend.isEmpty() ? m_settings.secrets.backend : ref->backend) == kind)
                users[ref->path + u'#' + ref->key].append(s.name);
        }
    }
    return users;
}

Result<QStringList> Orchestrator::servicesWithChangedSecrets(const Registry &registry)
{
    QStringList changed;
    for (const Service &s : registry.services) {
        if (s.secrets.isEmpty())
            continue;
        auto last = withStore([&](HistoryStore &h) { return h.lastSucceeded(s.name); });
        if (!last)
            return last.error();
        if (!last->has_value())
            continue; // never deployed: a deploy, not a rotation, brings it up
        auto now = secretVersions(s);
        if (!now)
            return now.error();
        const QJsonObject before = (**last).config.value(u"secret_versions"_s).toObject();
        if (before != *now)
            changed.append(s.name);
    }
    return changed;
}

Result<SecretsBackend *> Orchestrator::secrets(const QString &kind)
{
    const QString which = kind.isEmpty() ? m_settings.secrets.backend : kind;
    auto found = m_secrets.find(which);
    if (found == m_secrets.end()) {
        auto opened = openSecrets(which);
        if (!opened)
            return opened.error();
        found = m_secrets.emplace(which, std::move(*opened)).first;
    }
    return found->second.get();
}

Result<std::unique_ptr<SecretsBackend>> Orchestrator::openSecrets(const QString &kind)
{
    if (kind == u"vault") {
        if (m_settings.secrets.vault.address.isEmpty())
            return Error{ErrorCode::InvalidInput,
                         u"the Vault backend needs VAULT_ADDR (e.g. https://vault.lan:8200)"_s};
        auto keychainToken = [] { return Keychain::read(QLatin1StringView(Keychain::VaultToken)); };
        return std::unique_ptr<SecretsBackend>(
            std::make_unique<VaultSecretStore>(m_settings.secrets.vault, keychainToken));
    }
    if (kind != u"local")
        return Error{
            ErrorCode::InvalidInput,
            u"unknown secrets backend '%1' (PORTOSER_SECRETS_BACKEND: local or vault)"_s.arg(kind)};
    const QString file = m_settings.secrets.localFile;
    auto passphrase = LocalSecretStore::passphraseFromEnvironment();
    if (!passphrase) {
        // No headless passphrase: the OS keychain keeps a random key for this user's store.
        auto kept = Keychain::read(QLatin1StringView(Keychain::LocalStoreKey));
        if (kept) {
            passphrase = *kept;
        } else if (kept.error().code == ErrorCode::NotFound && !QFile::exists(file)) {
            const QByteArray fresh = SecretCipher::randomBytes(32).toBase64();
            if (auto saved = Keychain::write(QLatin1StringView(Keychain::LocalStoreKey), fresh);
                !saved)
                return passphrase.error();
            passphrase = fresh;
        } else {
            return Error{passphrase.error().code, passphrase.error().message
                                                      + u"; the OS keychain: "_s
                                                      + kept.error().message};
        }
    }
    auto opened = LocalSecretStore::open(file, *passphrase);
    if (!opened)
        return opened.error();
    return std::unique_ptr<SecretsBackend>(std::move(*opened));
}

Result<QList<OperatorTool>> Orchestrator::operatorTools()
{
    return withStore([&](HistoryStore &s) { return OperatorToolStore(s.connectionName()).list(); });
}

Result<OperatorTool> Orchestrator::operatorTool(const QString &name)
{
    return withStore(
        [&](HistoryStore &s) { return OperatorToolStore(s.connectionName()).get(name); });
}

Result<void> Orchestrator::saveOperatorTool(const Registry &registry, const OperatorTool &tool)
{
    if (const auto problem = tool.problem(registry))
        return Error{ErrorCode::InvalidInput, u"tool %1: %2"_s.arg(tool.name, *problem)};
    return withStore(
        [&](HistoryStore &s) { return OperatorToolStore(s.connectionName()).save(tool); });
}

Result<void> Orchestrator::removeOperatorTool(const QString &name)
{
    return withStore(
        [&](HistoryStore &s) { return OperatorToolStore(s.connectionName()).remove(name); });
}

Result<QJsonObject> Orchestrator::runOperatorTool(const Registry &registry,
                                                  const OperatorTool &tool,
                                                  const QJsonObject &arguments)
{
    const Host *host = registry.host(tool.host);
    if (!host)
        return Error{ErrorCode::NotFound,
                     u"tool %1: host %2 is not in the registry"_s.arg(tool.name, tool.host)};
    const QString script = tool.script(registry, arguments);
    auto ran = m_pool->worker(*host).runScript(script, std::chrono::seconds(120));
    if (!ran)
        return ran.error();
    constexpr qsizetype Keep = 64 * 1024;
    return QJsonObject{{u"host"_s, tool.host},
                       {u"exit_code"_s, ran->exitCode},
                       {u"stdout"_s, QString::fromUtf8(ran->out.right(Keep))},
                       {u"stderr"_s, QString::fromUtf8(ran->err.right(Keep))}};
}

bool Orchestrator::leadsHealer()
{
    auto history = store();
    return history && (*history)->tryLead(u"healer"_s);
}

Result<CreatedToken> Orchestrator::createToken(const QString &name, Role role)
{
    return withStore(
        [&](HistoryStore &s) { return TokenStore(s.connectionName()).create(name, role); });
}

Result<QList<ApiToken>> Orchestrator::tokens()
{
    return withStore([&](HistoryStore &s) { return TokenStore(s.connectionName()).list(); });
}

Result<ApiToken> Orchestrator::revokeToken(const QString &nameOrId)
{
    return withStore(
        [&](HistoryStore &s) { return TokenStore(s.connectionName()).revoke(nameOrId); });
}

Result<QList<AuditEntry>> Orchestrator::audit(int limit, int offset, const QString &actor)
{
    return withStore(
        [&](HistoryStore &s) { return AuditLog(s.connectionName()).list(limit, offset, actor); });
}

Result<void> Orchestrator::appendAudit(const AuditEntry &entry)
{
    return withStore([&](HistoryStore &s) { return AuditLog(s.connectionName()).append(entry); });
}

Result<QList<KnowledgeRow>> Orchestrator::knowledge()
{
    return withStore([](HistoryStore &s) { return HealStore(s).knowledge(); });
}

Result<QList<PlaybookInfo>> Orchestrator::playbooks()
{
    auto history = store();
    if (!history)
        return history.error();
    HealStore heal(**history);
    auto rows = heal.knowledge();
    auto learned = heal.learned();
    if (!rows || !learned)
        return rows ? learned.error() : rows.error();
    const auto statsOf = [&](const Playbook &p) {
        for (const KnowledgeRow &r : *rows) {
            if (r.playbook == p.name && r.fingerprint == p.fingerprint)
                return r;
        }
        return KnowledgeRow{p.fingerprint, p.name, 0, 0, 0, 0};
    };
    QList<PlaybookInfo> all;
    const auto files = PlaybookLoader::loadDirectory(playbookDirectory());
    for (const Playbook &p : files.playbooks)
        all.append({p, statsOf(p), 0});
    for (const LearnedPlaybook &l : *learned)
        all.append({l.playbook, statsOf(l.playbook), l.frequency});
    for (const Playbook &p : Playbooks::builtIn())
        all.append({p, statsOf(p), 0});
    return all;
}

Result<LearnedPlaybook> Orchestrator::learn(const QString &fingerprint, const QString &service,
                                            const QList<PlaybookStep> &steps)
{
    Playbook candidate;
    candidate.name = u"learned"_s;
    candidate.fingerprint = fingerprint;
    candidate.steps = steps;
    if (const IssueList issues = Playbooks::validate(candidate); !issues.isEmpty())
        return Error{ErrorCode::InvalidInput, issues.first().message};
    // its frequency is the count
    return withStore(
        [&](HistoryStore &s) { return HealStore(s).learn(fingerprint, service, steps); });
}

Result<QList<DeploymentRecord>> Orchestrator::history(const HistoryQuery &query)
{
    return withStore([&](HistoryStore &s) { return s.list(query); });
}

Result<DeploymentRecord> Orchestrator::historyRecord(qint64 id)
{
    return withStore([&](HistoryStore &s) { return s.get(id); });
}

CheckedRegistry Orchestrator::checkRegistry(const QString &path) const
{
    return validated(RegistryLoader(m_environment).load(path));
}

CheckedRegistry Orchestrator::checkRegistryText(const QByteArray &yaml,
                                                const QString &virtualPath) const
{
    return validated(RegistryLoader(m_environment).loadFromText(yaml, virtualPath));
}

} // namespace Portoser
