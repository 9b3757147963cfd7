// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/api/AuditLog.h"
#include "core/api/OperatorTools.h"
#include "core/api/TokenStore.h"
#include "core/deploy/DeployEngine.h"
#include "core/deploy/HostPool.h"
#include "core/deploy/ServiceState.h"
#include "core/heal/Healer.h"
#include "core/history/HistoryStore.h"
#include "core/registry/Interpolator.h"
#include "core/registry/Registry.h"
#include "core/secrets/SecretsBackend.h"
#include "core/secrets/SecretsMigrator.h"
#include "core/secrets/SecretsSettings.h"
#include "core/tls/CertificateAuthority.h"

#include <memory>

namespace Portoser {

/** Settings every front-end passes the same way. */
struct OrchestratorSettings
{
    QString databasePath;      // empty: HistoryStore::defaultPath()
    QString playbookDirectory; // empty: PlaybookLoader::defaultDirectory()
    TransportSettings transport;
    SecretsSettings secrets = SecretsSettings::fromEnvironment();
};

/** Staged changes: moves (service -> new host) and services to deploy again in place. */
struct ChangeSet
{
    QMap<QString, QString> moves;
    QStringList redeploys;
};

/** What `deployChanges` did: a record per service it ran, and the changes it could not start. */
struct ChangeResults
{
    QList<DeploymentRecord> records;
    QStringList refused; // "service: why"
};

/** A diagnosis with what the healer would do about each problem and where it stands. */
struct DiagnoseResult
{
    Diagnosis diagnosis;
    QMap<QString, QList<Playbook>> playbooks; // per service: one per problem, in order
    QMap<QString, HealState> healState;
    IssueList playbookIssues;
};

/** Every playbook the healer knows, with what the knowledge base counted for it. */
struct PlaybookInfo
{
    Playbook playbook;
    KnowledgeRow stats;
    int frequency = 0; // learned: how often an operator recorded it
};

/**
 * The one facade the GUI, `--serve` and `--cli` call. Front-ends hold no business logic: each
 * of their commands is one call here. Not thread-safe: use it from one thread (it dispatches the
 * blocking work to per-host workers itself).
 */
class Orchestrator
{
public:
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
    /** The arch a host is known to have: the registry's, else what it reported last. */
    using ArchLookup = std::function<QString(const QString &host)>;
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
    /** Observes and analyzes `services` (all when empty) and what they depend on. */
    Result<DiagnoseResult> diagnose(const Registry &registry, const QStringList &services = {});
    /** Whether this coordinator leads the healer among all on its database (takes it if free). */
    bool leadsHealer();
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
    struct ProxyPlan
    {
        QJsonObject wanted;
        QJsonObject running;
        QByteArray etag;
        QStringList diff;   // ConfigDiff lines; empty when Caddy runs what the registry says
        QStringList issued; // services whose certificate `proxy apply` issued from the CA
        QString createdCa;  // the CA certificate `proxy apply` made, when there was none
    };
    Result<ProxyPlan> proxyPlan(const Registry &registry);
    /** Issues the certificates its routes lack from the internal CA (when there is one), places
     *  them on a remote ingress host, loads the planned config into Caddy when it differs
     *  (If-Match on the ETag read), and keeps it as the last config Caddy accepted
     *  (`~/.portoser/caddy/last-good.json`). */
    Result<ProxyPlan> proxyApply(const Registry &registry);
    /** A service's public route: its URL, whether Caddy has it, where it sends traffic. */
    struct RouteStatus
    {
        QString service;
        QString url;   // https://hostname[:port]/
        QString route; // the Caddy route id
        // ok (points where the service runs, and a request through Caddy got its answer) |
        // stale (points elsewhere) | missing | down (points right, but Caddy answers 502/503/504
        // or nothing) | unchecked (points right; takes only client certificates the coordinator
        // has none for) | unknown (Caddy's admin API did not answer). docs/tls.md has them.
        QString state;
        QString upstream; // what Caddy dials now
        QString wanted;   // what it should dial: the service's current host
        QString detail;   // why the state is down, unchecked or unknown

        QJsonObject toJson() const;
    };
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
    /** The internal CA, its key reachable where it is kept (ca.key, or the secrets store). */
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
    /** What `certs renew` did to one certificate. */
    struct Renewal
    {
        CertificateInfo certificate; // the new one
        QString installedOn;         // the host it was installed on, if any
        QString error;
    };
    /**
     * Re-issues every certificate that expires within `days`, installs each on its service's
     * host again, and has Caddy reload the files (when the registry names one).
     */
    Result<QList<Renewal>> renewCertificates(const Registry &registry, int days);
    /** Points the service's Caddy route at where it runs now (one PATCH by `@id`): after a move. */
    void updateProxyRoute(const Registry &registry, const Service &service,
                          const ProgressFn &progress = {});

    /** The services using each secret of backend `kind`: "path#key" -> service names. */
    QMap<QString, QStringList> secretUsers(const Registry &registry, const QString &kind) const;
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
    /** Checks `tool` against `registry` and stores it (a tool of the same name is replaced). */
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
    /** Runs `fn` with an engine over this orchestrator's hosts and history (opened on first use).
     */
    template <typename Fn>
    auto withEngine(Fn fn) -> decltype(fn(std::declval<DeployEngine &>()))
    {
        return withStore([&](HistoryStore &history) {
            DeployEngine engine(*m_pool, history, secretAccess());
            return fn(engine);
        });
    }

    /** Runs `fn` with this orchestrator's store (opened on first use). */
    template <typename Fn>
    auto withStore(Fn fn) -> decltype(fn(std::declval<HistoryStore &>()))
    {
        auto history = store();
        if (!history)
            return history.error();
        return fn(**history);
    }

    /** This orchestrator's secrets backends, as the deploy engine and the healer reach them. */
    SecretAccess secretAccess();
    /** Calls `fn` with each `secrets:` variable of `service`, its backend and its reference;
     *  any failure names the service, the variable and the reference. */
    using SecretFn =
        std::function<Result<void>(const QString &var, SecretsBackend &, const SecretReference &)>;
    Result<void> forEachSecret(const Service &service, const SecretFn &fn);
    Result<QMap<QString, QString>> secretValues(const Service &service);
    /** VAR -> the version of the secret it names (what a rotation changes). */
    Result<QJsonObject> secretVersions(const Service &service);

    QString playbookDirectory() const;
    Result<std::unique_ptr<Healer>> makeHealer(IssueList *playbookIssues = nullptr);
    /** The ingress host when Caddy runs on another machine than this one, else null. */
    static const Host *remoteIngress(const Registry &registry);
    /** Caddy's config for `registry`; with a remote ingress, its certificates' paths there (put
     *  there first when `shipCertificates`). */
    Result<QJsonObject> caddyConfig(const Registry &registry, bool shipCertificates);
    Result<ProxyPlan> comparedWithCaddy(const Registry &registry,
                                        const Result<QJsonObject> &wanted);
    /** Before a deploy: frees disk and names port holders where the plan changes services. */
    void healBeforeDeploy(const Registry &registry, const DeployPlan &plan,
                          const ProgressFn &progress);
    /** After a deploy: the diagnosis of each service that did not end up running, as progress. */
    void diagnoseFailures(const Registry &registry, const QList<DeploymentRecord> &records,
                          const ProgressFn &progress);

    Interpolator::Lookup m_environment;
    OrchestratorSettings m_settings;
    std::unique_ptr<HostPool> m_pool;
    std::unique_ptr<HistoryStore> m_store;
    Result<std::unique_ptr<SecretsBackend>> openSecrets(const QString &kind);

    std::map<QString, std::unique_ptr<SecretsBackend>> m_secrets;
};

} // namespace Portoser
