// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/access/AuditLog.h"
#include "core/access/OperatorTools.h"
#include "core/access/TokenStore.h"
#include "core/deploy/DeployOptions.h"
#include "core/deploy/DeployPlan.h"
#include "core/deploy/DeployProgress.h"
#include "core/deploy/ServiceState.h"
#include "core/heal/HealService.h"
#include "core/history/HistoryQuery.h"
#include "core/metrics/Availability.h"
#include "core/metrics/MetricsStore.h"
#include "core/registry/Interpolator.h"
#include "core/registry/Registry.h"
#include "core/secrets/SecretsBackend.h"
#include "core/secrets/SecretsMigrator.h"
#include "core/secrets/SecretsService.h"
#include "core/secrets/SecretsSettings.h"
#include "core/tls/CertificateAuthority.h"
#include "core/tls/ProxyService.h"
#include "core/transport/Transport.h"
#include "core/transport/TransportSettings.h"
#include "core/workflow/DeployWorkflow.h"

#include <memory>

namespace Portoser {

class CertificateService;
class HistoryStore;
class HostPool;

/** Settings every front-end passes the same way. */
struct OrchestratorSettings
{
    QString databasePath;      // empty: Database::defaultPath()
    QString playbookDirectory; // empty: PlaybookLoader::defaultDirectory()
    TransportSettings transport;
    SecretsSettings secrets = SecretsSettings::fromEnvironment();
};

/**
 * The one facade the GUI, `--serve` and `--cli` call. Front-ends hold no business logic: each
 * of their commands is one call here, and each method here is one call onto the service that
 * owns the operation (DeployWorkflow, HealService, SecretsService, CertificateService,
 * ProxyService, the access stores). Not thread-safe: use it from one thread (it dispatches the
 * blocking work to per-host workers itself).
 */
class Orchestrator
{
public:
    using ProxyPlan = Portoser::ProxyPlan;
    using RouteStatus = Portoser::RouteStatus;
    using Renewal = CertificateRenewal;
    using ArchLookup = DeployWorkflow::ArchLookup;

    explicit Orchestrator(Interpolator::Lookup environment = Interpolator::processEnvironment(),
                          OrchestratorSettings settings = {});
    ~Orchestrator();
    Q_DISABLE_COPY_MOVE(Orchestrator)

    void setSettings(const OrchestratorSettings &settings);
    const OrchestratorSettings &settings() const { return m_settings; }

    /** Loads `path` with its includes and runs every validation check. */
    CheckedRegistry checkRegistry(const QString &path) const;
    /** The same for a registry given as text (an upload to the API, an editor buffer). */
    CheckedRegistry checkRegistryText(const QByteArray &yaml, const QString &virtualPath) const;

    Result<DeployPlan> planDeploy(const Registry &registry, const QStringList &services,
                                  bool force = false);
    /** What the GUI's staged changes plan to, on the registry as the moves will leave it
     *  (redeploys as `deploy --force`); for review, each part is planned again when it runs. */
    Result<QList<PlannedService>> planChanges(const Registry &registry, const ChangeSet &changes);
    /** Runs the changes: each move in turn, then the redeploys; a change that cannot start says
     *  why in `refused`. `options.cancel` stops what has not started. */
    ChangeResults deployChanges(const Registry &registry, const ChangeSet &changes,
                                DeployOptions options, const ProgressFn &progress = {});
    /** Applies a reviewed plan, if the hosts and registry still match it. */
    Result<QList<DeploymentRecord>> deploy(const Registry &registry, const DeployPlan &plan,
                                           const DeployOptions &options,
                                           const ProgressFn &progress = {});
    /** Deploys `services` (all when empty) now: locks, plans and applies with one look at the
     *  hosts (the CLI's `deploy` and the API's without a saved plan). */
    Result<QList<DeploymentRecord>> deploy(const Registry &registry, const QStringList &services,
                                           const DeployOptions &options,
                                           const ProgressFn &progress = {});
    Result<DeploymentRecord> stop(const Registry &registry, const QString &service,
                                  const QString &actor);
    /** Starts or restarts (`request.intent`) exactly the services it names, on the release and
     *  config they are deployed with; dependencies that are not running only with
     *  `request.withDependencies`, never re-released. */
    Result<QList<DeploymentRecord>> restart(const Registry &registry, const PlanRequest &request,
                                            const DeployOptions &options,
                                            const ProgressFn &progress = {});
    /** What `request` would do (`deploy --dry-run`, and what a start or restart will run). */
    Result<DeployPlan> plan(const Registry &registry, const PlanRequest &request);
    /**
     * Moves `service` to `host`: checks the target can run it (arch for local/native, a free port,
     * a known host), deploys it there, passes the health gate, stops the old instance, and only
     * then writes `current_host` into the registry file (a minimal, atomic edit).
     */
    Result<QList<DeploymentRecord>> move(const Registry &registry, const QString &service,
                                         const QString &host, const DeployOptions &options,
                                         const ProgressFn &progress = {});
    /**
     * Why `service` cannot run on `host`, or nothing when it can (also what a GUI drop shows).
     * Arches the registry leaves out come from `knownArch` when given; a host that `lastSeen`
     * (the caller's last observation) found unreachable is refused too.
     */
    static std::optional<QString> moveRefusal(const Registry &registry, const QString &service,
                                              const QString &host, const ArchLookup &knownArch = {},
                                              const QMap<QString, HostState> &lastSeen = {});
    Result<DeploymentRecord> rollback(const Registry &registry, qint64 recordId,
                                      const DeployOptions &options,
                                      const ProgressFn &progress = {});
    /** The last `lines` lines of a service's log; with `follow`, keeps streaming to `sink` until
     * `timeout`. */
    Result<QByteArray> logs(const Registry &registry, const QString &service, int lines,
                            bool follow = false, const OutputSink &sink = {},
                            std::chrono::milliseconds timeout = std::chrono::hours(24));
    /** Observed state of `services` (all when empty), hosts asked in parallel. */
    QMap<QString, ServiceState> status(const Registry &registry, const QStringList &services = {});

    /** Hosts (their disk, memory, listeners) and services, one round trip per host. */
    QList<HostState> observe(const Registry &registry, const QStringList &services,
                             const QStringList &hosts = {}, bool allPortHolders = false);
    /** The key a new host offers, before anything is trusted (the host wizard). */
    Result<HostKeyOffer> offeredHostKey(const Host &host) const;
    /** Trusts `host`'s key in known_hosts, only if it is still the `fingerprint` confirmed. */
    Result<void> trustHostKey(const Host &host, const QString &fingerprint) const;
    /** Observes and analyzes `services` (all when empty) and what they depend on. */
    Result<DiagnoseResult> diagnose(const Registry &registry, const QStringList &services = {});
    /** Whether this coordinator leads the healer among all on its database (takes it if free). */
    bool leadsHealer();
    /** Whether this coordinator keeps the metrics among all on its database (takes it if free). */
    bool leadsMetrics();
    /** One pass of the self-healing loop. */
    Result<HealReport> heal(const Registry &registry, const HealOptions &options,
                            const Healer::EventSink &sink = {});
    Result<QList<HealEvent>> healEvents(const QString &service, int limit, qint64 afterId = 0);
    Result<QList<PlaybookInfo>> playbooks();
    /** A service's problems and recoveries, from its heal events. */
    Result<ServiceInsights> insights(const Registry &registry, const QString &service);
    Result<QList<KnowledgeRow>> knowledge();
    /** Records an operator's fix for `fingerprint` (it becomes a playbook with a frequency). */
    Result<LearnedPlaybook> learn(const QString &fingerprint, const QString &service,
                                  const QList<PlaybookStep> &steps);

    /** Stores an observation as metric samples (the watchdog, after each pass), and every ten
     *  minutes rolls up and prunes by `retention`. */
    Result<void> recordMetrics(const QList<HostState> &hosts, qint64 at,
                               const MetricsRetention &retention = {});
    /** A host's or service's series since `since` (epoch seconds). */
    Result<QList<MetricSeries>> metrics(MetricSubject subject, const QString &name, qint64 since);
    /** A service's uptime over 24 h / 7 d / 30 d and its MTTR, from its heal events. */
    Result<Availability> availability(const QString &service);
    /** The registry's host or service `name`: its series of the last `seconds`, and for a
     *  service its availability (NotFound when the registry has no such name). */
    Result<MetricsReport> metricsReport(const Registry &registry, const QString &name,
                                        qint64 seconds);

    /**
     * The secrets backend `kind` names ("local" or "vault"; empty: the configured default),
     * opened on first use: the local store with its key from the environment, a 0600 key file or
     * the OS keychain; Vault with the settings' address and auth.
     */
    Result<SecretsBackend *> secrets(const QString &kind = {});
    /**
     * Moves the `.env` of `services` (all with an env_file when empty) into the secrets backend
     * `kind` (empty: the default), one step per service; the registry file is edited.
     */
    Result<QList<MigrationStep>> migrateSecrets(const Registry &registry,
                                                const QStringList &services,
                                                const SecretsMigrator::Options &options,
                                                const QString &kind = {});
    /** What Caddy should run for `registry` against what it runs now (`proxy plan`). */
    Result<ProxyPlan> proxyPlan(const Registry &registry);
    /** Issues the certificates its routes lack from the internal CA (when there is one), places
     *  them on a remote ingress host, loads the planned config into Caddy when it differs
     *  (If-Match on the ETag read), and keeps it as the last config Caddy accepted
     *  (`~/.portoser/caddy/last-good.json`). */
    Result<ProxyPlan> proxyApply(const Registry &registry);
    /** Per service with a hostname: its route as Caddy runs it and what Caddy answers for it
     *  (`proxy status`; one request per route, at once, within 5 s); fails when Caddy's admin
     *  API does not answer. */
    Result<QList<RouteStatus>> proxyStatus(const Registry &registry);
    /** As proxyStatus, but never fails: when Caddy does not answer, each route is `unknown`
     *  with the reason (what a dashboard shows). */
    QList<RouteStatus> routeStatus(const Registry &registry);
    /**
     * Issues `service`'s certificate from the internal CA: a server certificate naming its
     * hostname, its name, its host's name and address; or a client one (mTLS). `days` 0: the
     * default lifetime.
     */
    Result<CertificateInfo> issueCertificate(const Registry &registry, const QString &service,
                                             bool client, KeyType keyType, int days);
    /** The internal CA, its key reachable where it is kept (ca.key, or the secrets store); use
     *  it before the next setSettings() (its key store is this orchestrator's). */
    CertificateAuthority certificateAuthority();
    /** Moves the CA key from ca.key into the default secrets backend (`portoser/ca#key`), read
     *  back before the file goes; the reference it is kept under. */
    Result<QString> keepCaKeyInSecrets();
    /** Adds the internal CA to `host`'s system trust store (what the operator consented to):
     *  where it went there. */
    Result<QString> trustCertificateAuthority(const Registry &registry, const QString &host);
    /** Copies the certificates `certs issue` made for `service` (and the CA) to its host's
     *  `<service dir>/tls/` (keys 0600); returns the paths written there. */
    Result<QStringList> installCertificates(const Registry &registry, const QString &service);
    /**
     * Re-issues every certificate that expires within `days`, installs each on its service's
     * host again, and has Caddy reload the files (when the registry names one).
     */
    Result<QList<Renewal>> renewCertificates(const Registry &registry, int days);
    /** Points the service's Caddy route at where it runs now (one PATCH by `@id`): after a move. */
    void updateProxyRoute(const Registry &registry, const Service &service,
                          const ProgressFn &progress = {});

    /** The keys under `prefix` of backend `kind` (empty: the default), with their last version
     *  and the registry's services that use each; never values. */
    Result<SecretListing> secretList(const Registry &registry, const QString &kind = {},
                                     const QString &prefix = {});
    /** Services whose secrets changed (rotated) since their last successful deploy. */
    Result<QStringList> servicesWithChangedSecrets(const Registry &registry);

    /** API tokens of `--serve` (only their hashes are stored; the secret is returned once). */
    Result<CreatedToken> createToken(const QString &name, Role role);
    Result<QList<ApiToken>> tokens();
    Result<ApiToken> revokeToken(const QString &nameOrId);
    /** The audit log of API and MCP calls, newest first. */
    Result<QList<AuditEntry>> audit(int limit, int offset = 0, const QString &actor = {});
    Result<void> appendAudit(const AuditEntry &entry);

    /** Operator-registered MCP tools. */
    Result<QList<OperatorTool>> operatorTools();
    Result<OperatorTool> operatorTool(const QString &name);
    /** Checks `tool` against `registry` and stores it (a tool of the same name is replaced).
     *  Faces call Operations::saveOperatorTool, which also keeps the catalog's names reserved. */
    Result<void> saveOperatorTool(const Registry &registry, const OperatorTool &tool);
    Result<void> removeOperatorTool(const QString &name);
    /** Runs `tool` on its host with `arguments` (already checked against its schema): exit code,
     *  stdout and stderr (each cut to its last 64 KiB). */
    Result<QJsonObject> runOperatorTool(const Registry &registry, const OperatorTool &tool,
                                        const QJsonObject &arguments);

    Result<QList<DeploymentRecord>> history(const HistoryQuery &query);
    Result<DeploymentRecord> historyRecord(qint64 id);

private:
    Result<HistoryStore *> store();
    /** Builds the host pool and the services over it (again after new settings). */
    void build();
    /** Runs `fn` with this orchestrator's store (opened on first use). */
    template <typename Fn>
    auto withStore(Fn fn) -> decltype(fn(std::declval<HistoryStore &>()));

    Interpolator::Lookup m_environment;
    OrchestratorSettings m_settings;
    std::shared_ptr<HostPool> m_pool; // the process's, shared with every other Orchestrator
    std::unique_ptr<HistoryStore> m_store;
    qint64 m_metricsPrunedAt = 0; // epoch seconds of the last roll-up and prune
    std::unique_ptr<SecretsService> m_secrets;
    std::unique_ptr<CertificateService> m_certificates;
    std::unique_ptr<ProxyService> m_proxy;
    std::unique_ptr<HealService> m_heal;
    std::unique_ptr<DeployWorkflow> m_deploy;
};

} // namespace Portoser
