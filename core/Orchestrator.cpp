// SPDX-License-Identifier: Apache-2.0
#include "core/Orchestrator.h"

#include "core/deploy/DeployEngine.h"
#include "core/deploy/HostPool.h"
#include "core/deploy/RemoteScripts.h"
#include "core/heal/HealStore.h"
#include "core/history/HistoryStore.h"
#include "core/registry/RegistryCheck.h"
#include "core/tls/CertificateService.h"
#include "core/transport/ShellCommand.h"
#include "core/transport/SshTransport.h"

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

template <typename Fn>
auto Orchestrator::withStore(Fn fn) -> decltype(fn(std::declval<HistoryStore &>()))
{
    auto history = store();
    if (!history)
        return history.error();
    return fn(**history);
}

Orchestrator::Orchestrator(Interpolator::Lookup environment, OrchestratorSettings settings)
    : m_environment(std::move(environment))
    , m_settings(std::move(settings))
{
    build();
}

Orchestrator::~Orchestrator() = default;

void Orchestrator::setSettings(const OrchestratorSettings &settings)
{
    m_settings = settings;
    m_store.reset();
    build(); // the secrets backends too: they were opened with the old settings
}

void Orchestrator::build()
{
    // Torn down users first: each service holds references to those built before it.
    m_deploy.reset();
    m_heal.reset();
    m_proxy.reset();
    m_certificates.reset();
    m_secrets.reset();
    m_pool = HostPool::shared(m_settings.transport);
    const StoreAccess storeAccess = [this] { return store(); };
    m_secrets = std::make_unique<SecretsService>(m_settings.secrets, *m_pool);
    m_certificates = std::make_unique<CertificateService>(*m_pool, *m_secrets);
    m_proxy = std::make_unique<ProxyService>(*m_pool, *m_certificates);
    m_heal = std::make_unique<HealService>(*m_pool, storeAccess, m_secrets->access(),
                                           m_settings.playbookDirectory.isEmpty()
                                               ? PlaybookLoader::defaultDirectory()
                                               : m_settings.playbookDirectory);
    m_deploy = std::make_unique<DeployWorkflow>(*m_pool, storeAccess, m_secrets->access(), *m_heal,
                                                *m_proxy);
}

Result<HistoryStore *> Orchestrator::store()
{
    if (!m_store) {
        auto opened = HistoryStore::open(
            m_settings.databasePath.isEmpty() ? Database::defaultPath() : m_settings.databasePath);
        if (!opened)
            return opened.error();
        m_store = std::move(*opened);
    }
    return m_store.get();
}

// --- deploy, move, restart, stop, rollback ------------------------------------------------

Result<DeployPlan> Orchestrator::planDeploy(const Registry &registry, const QStringList &services,
                                            bool force)
{
    return m_deploy->plan(registry, PlanRequest{PlanIntent::Deploy, services, force, false});
}

Result<DeployPlan> Orchestrator::plan(const Registry &registry, const PlanRequest &request)
{
    return m_deploy->plan(registry, request);
}

Result<QList<PlannedService>> Orchestrator::planChanges(const Registry &registry,
                                                        const ChangeSet &changes)
{
    return m_deploy->planChanges(registry, changes);
}

ChangeResults Orchestrator::deployChanges(const Registry &registry, const ChangeSet &changes,
                                          DeployOptions options, const ProgressFn &progress)
{
    return m_deploy->deployChanges(registry, changes, std::move(options), progress);
}

Result<QList<DeploymentRecord>> Orchestrator::deploy(const Registry &registry,
                                                     const DeployPlan &plan,
                                                     const DeployOptions &options,
                                                     const ProgressFn &progress)
{
    return m_deploy->deploy(registry, plan, options, progress);
}

Result<QList<DeploymentRecord>> Orchestrator::deploy(const Registry &registry,
                                                     const QStringList &services,
                                                     const DeployOptions &options,
                                                     const ProgressFn &progress)
{
    return m_deploy->deploy(registry, services, options, progress);
}

Result<DeploymentRecord> Orchestrator::stop(const Registry &registry, const QString &service,
                                            const QString &actor)
{
    return m_deploy->stop(registry, service, actor);
}

Result<QList<DeploymentRecord>> Orchestrator::restart(const Registry &registry,
                                                      const PlanRequest &request,
                                                      const DeployOptions &options,
                                                      const ProgressFn &progress)
{
    return m_deploy->restart(registry, request, options, progress);
}

std::optional<QString> Orchestrator::moveRefusal(const Registry &registry, const QString &service,
                                                 const QString &host, const ArchLookup &knownArch,
                                                 const QMap<QString, HostState> &lastSeen)
{
    return DeployWorkflow::moveRefusal(registry, service, host, knownArch, lastSeen);
}

Result<QList<DeploymentRecord>> Orchestrator::move(const Registry &registry, const QString &service,
                                                   const QString &host,
                                                   const DeployOptions &options,
                                                   const ProgressFn &progress)
{
    return m_deploy->move(registry, service, host, options, progress);
}

Result<DeploymentRecord> Orchestrator::rollback(const Registry &registry, qint64 recordId,
                                                const DeployOptions &options,
                                                const ProgressFn &progress)
{
    return m_deploy->rollback(registry, recordId, options, progress);
}

Result<QByteArray> Orchestrator::logs(const Registry &registry, const QString &service, int lines,
                                      bool follow, const OutputSink &sink,
                                      std::chrono::milliseconds timeout)
{
    const Service *s = registry.service(service);
    if (!s)
        return registry.unknownServiceError(service);
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

// --- observe, analyze, heal, learn ---------------------------------------------------------

QMap<QString, ServiceState> Orchestrator::status(const Registry &registry,
                                                 const QStringList &services)
{
    return m_heal->status(registry, services);
}

QList<HostState> Orchestrator::observe(const Registry &registry, const QStringList &services,
                                       const QStringList &hosts, bool allPortHolders)
{
    return m_heal->observe(registry, services, hosts, allPortHolders);
}

Result<HostKeyOffer> Orchestrator::offeredHostKey(const Host &host) const
{
    if (host.isLocal())
        return Error{ErrorCode::InvalidInput, u"%1 is reached without SSH"_s.arg(host.name)};
    return SshTransport::offeredHostKey(m_settings.transport.sshTarget(host));
}

Result<void> Orchestrator::trustHostKey(const Host &host, const QString &fingerprint) const
{
    return SshTransport::trustHostKey(m_settings.transport.sshTarget(host), fingerprint);
}

Result<DiagnoseResult> Orchestrator::diagnose(const Registry &registry, const QStringList &services)
{
    return m_heal->diagnose(registry, services);
}

Result<HealReport> Orchestrator::heal(const Registry &registry, const HealOptions &options,
                                      const Healer::EventSink &sink)
{
    return m_heal->heal(registry, options, sink);
}

Result<QList<HealEvent>> Orchestrator::healEvents(const QString &service, int limit, qint64 afterId)
{
    return withStore([&](HistoryStore &s) { return HealStore(s).events(service, limit, afterId); });
}

Result<ServiceInsights> Orchestrator::insights(const Registry &registry, const QString &service)
{
    return m_heal->insights(registry, service);
}

Result<void> Orchestrator::recordMetrics(const QList<HostState> &hosts, qint64 at,
                                         const MetricsRetention &retention)
{
    return withStore([&](HistoryStore &s) -> Result<void> {
        MetricsStore store(s.connectionName());
        if (auto recorded = store.record(hosts, at); !recorded)
            return recorded;
        if (at - m_metricsPrunedAt >= 600) {
            m_metricsPrunedAt = at;
            if (auto pruned = store.prune(at, retention); !pruned)
                return pruned.error();
        }
        return {};
    });
}

Result<QList<MetricSeries>> Orchestrator::metrics(MetricSubject subject, const QString &name,
                                                  qint64 since)
{
    return withStore([&](HistoryStore &s) {
        return MetricsStore(s.connectionName()).read(subject, name, since);
    });
}

Result<MetricsReport> Orchestrator::metricsReport(const Registry &registry, const QString &name,
                                                  qint64 seconds)
{
    MetricsReport report;
    report.name = name;
    if (registry.host(name))
        report.subject = MetricSubject::Host;
    else if (registry.service(name))
        report.subject = MetricSubject::Service;
    else
        return Error{ErrorCode::NotFound,
                     u"no host or service named \"%1\" in the registry"_s.arg(name)};
    report.since = QDateTime::currentSecsSinceEpoch() - seconds;
    auto series = metrics(report.subject, name, report.since);
    if (!series)
        return series.error();
    report.series = std::move(*series);
    if (report.subject == MetricSubject::Service) {
        auto figures = availability(name);
        if (!figures)
            return figures.error();
        report.availability = *figures;
    }
    return report;
}

Result<Availability> Orchestrator::availability(const QString &service)
{
    // Enough events for 30 days of a service that flaps every few minutes.
    auto events = healEvents(service, 20000);
    if (!events)
        return events.error();
    return Availability::from(*events, QDateTime::currentSecsSinceEpoch());
}

Result<QList<PlaybookInfo>> Orchestrator::playbooks()
{
    return m_heal->playbooks();
}

Result<LearnedPlaybook> Orchestrator::learn(const QString &fingerprint, const QString &service,
                                            const QList<PlaybookStep> &steps)
{
    return m_heal->learn(fingerprint, service, steps);
}

// --- secrets -------------------------------------------------------------------------------

Result<SecretsBackend *> Orchestrator::secrets(const QString &kind)
{
    return m_secrets->backend(kind);
}

Result<QList<MigrationStep>> Orchestrator::migrateSecrets(const Registry &registry,
                                                          const QStringList &services,
                                                          const SecretsMigrator::Options &options,
                                                          const QString &kind)
{
    return m_secrets->migrate(registry, services, options, kind);
}

Result<SecretListing> Orchestrator::secretList(const Registry &registry, const QString &kind,
                                               const QString &prefix)
{
    return m_secrets->list(registry, kind, prefix);
}

Result<QStringList> Orchestrator::servicesWithChangedSecrets(const Registry &registry)
{
    return withStore([&](HistoryStore &s) { return m_secrets->changedSinceDeploy(registry, s); });
}

// --- proxy and certificates ----------------------------------------------------------------

Result<Orchestrator::ProxyPlan> Orchestrator::proxyPlan(const Registry &registry)
{
    return m_proxy->plan(registry);
}

Result<Orchestrator::ProxyPlan> Orchestrator::proxyApply(const Registry &registry)
{
    return m_proxy->apply(registry);
}

Result<QList<RouteStatus>> Orchestrator::proxyStatus(const Registry &registry)
{
    return m_proxy->status(registry);
}

QList<RouteStatus> Orchestrator::routeStatus(const Registry &registry)
{
    return m_proxy->routeStatus(registry);
}

void Orchestrator::updateProxyRoute(const Registry &registry, const Service &service,
                                    const ProgressFn &progress)
{
    m_proxy->updateRoute(registry, service, progress);
}

Result<QList<CertificateRenewal>> Orchestrator::renewCertificates(const Registry &registry,
                                                                  int days)
{
    return m_proxy->renewCertificates(registry, days);
}

Result<CertificateInfo> Orchestrator::issueCertificate(const Registry &registry,
                                                       const QString &service, bool client,
                                                       KeyType keyType, int days)
{
    return m_certificates->issue(registry, service, client, keyType, days);
}

CertificateAuthority Orchestrator::certificateAuthority()
{
    return m_certificates->authority();
}

Result<QString> Orchestrator::keepCaKeyInSecrets()
{
    return m_certificates->keepKeyInSecrets();
}

Result<QString> Orchestrator::trustCertificateAuthority(const Registry &registry,
                                                        const QString &host)
{
    return m_certificates->trust(registry, host);
}

Result<QStringList> Orchestrator::installCertificates(const Registry &registry,
                                                      const QString &service)
{
    return m_certificates->install(registry, service);
}

// --- access: tools, tokens, audit ----------------------------------------------------------

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
    if (const auto unsafe = ShellCommand::unsafePlaceholder(tool.command))
        return Error{ErrorCode::InvalidInput,
                     u"tool %1 cannot run: its command is unsafe: %2"_s.arg(tool.name, *unsafe)};
    // A value that starts with "-" would be read by the command as one of its options.
    for (const QString &p : ShellCommand::placeholders(tool.command)) {
        const QJsonValue value = arguments.value(p); // a number too: -1 is "-1" on the line
        if (value.toVariant().toString().startsWith(u'-'))
            return Error{ErrorCode::InvalidInput,
                         u"tool %1: argument %2 starts with \"-\", which the command would take "
                         "for an option"_s.arg(tool.name, p)};
    }
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

bool Orchestrator::leadsMetrics()
{
    auto history = store();
    return history && (*history)->tryLead(u"metrics"_s);
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
    return RegistryCheck::file(path, m_environment);
}

CheckedRegistry Orchestrator::checkRegistryText(const QByteArray &yaml,
                                                const QString &virtualPath) const
{
    return RegistryCheck::text(yaml, virtualPath, m_environment);
}

} // namespace Portoser
