// SPDX-License-Identifier: Apache-2.0
#include "core/heal/HealService.h"

#include "core/deploy/DeployEngine.h"
#include "core/deploy/HostPool.h"
#include "core/deploy/ServiceObserver.h"
#include "core/history/HistoryStore.h"
#include "core/registry/DependencyGraph.h"

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

HealService::HealService(HostPool &pool, StoreAccess store, SecretAccess secrets,
                         QString playbookDirectory)
    : m_pool(pool)
    , m_store(std::move(store))
    , m_secrets(std::move(secrets))
    , m_playbookDirectory(std::move(playbookDirectory))
{}

QMap<QString, ServiceState> HealService::status(const Registry &registry,
                                                const QStringList &services)
{
    auto states = ServiceObserver(m_pool).observe(
        registry, services.isEmpty() ? registry.services.keys() : services);
    // The healer's word beside the host's: a service it gave up on or backs off from (its
    // records only: no healer is built, no playbook read).
    if (auto history = m_store()) {
        for (ServiceState &state : states)
            Healer::describeStanding(**history, state);
    }
    return states;
}

QList<HostState> HealService::observe(const Registry &registry, const QStringList &services,
                                      const QStringList &hosts, bool allPortHolders)
{
    QList<HostState> observed =
        ServiceObserver(m_pool).observeHosts(registry, services, hosts, allPortHolders);
    if (auto history = m_store()) {
        for (HostState &host : observed) {
            for (ServiceState &state : host.services)
                Healer::describeStanding(**history, state);
        }
    }
    return observed;
}

Result<std::unique_ptr<Healer>> HealService::makeHealer(IssueList *playbookIssues)
{
    auto history = m_store();
    if (!history)
        return history.error();
    const auto loaded = PlaybookLoader::loadDirectory(m_playbookDirectory);
    if (playbookIssues)
        *playbookIssues = loaded.issues;
    auto healer = std::make_unique<Healer>(m_pool, **history, m_secrets, loaded.playbooks);
    return healer;
}

Result<DiagnoseResult> HealService::diagnose(const Registry &registry, const QStringList &services)
{
    DiagnoseResult result;
    auto healer = makeHealer(&result.playbookIssues);
    if (!healer)
        return healer.error();
    const QStringList names = services.isEmpty() ? registry.services.keys() : services;
    result.diagnosis =
        Analyzer::analyze(registry, observe(registry, DependencyGraph(registry).closure(names)));
    HealStore heal(**m_store());
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

Result<HealReport> HealService::heal(const Registry &registry, const HealOptions &options,
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

Result<ServiceInsights> HealService::insights(const Registry &registry, const QString &service)
{
    auto history = m_store();
    if (!history)
        return history.error();
    auto events = HealStore(**history).events(service, 1000, 0);
    if (!events)
        return events.error();
    ServiceInsights insights = ServiceInsights::from(service, *events);
    // "Down now" is the host's word, not the last event's: an operator may have fixed it since.
    if (registry.service(service))
        insights.downNow = !status(registry, {service}).value(service).isWell();
    return insights;
}

Result<QList<PlaybookInfo>> HealService::playbooks()
{
    auto history = m_store();
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
    const auto files = PlaybookLoader::loadDirectory(m_playbookDirectory);
    for (const Playbook &p : files.playbooks)
        all.append({p, statsOf(p), 0});
    for (const LearnedPlaybook &l : *learned)
        all.append({l.playbook, statsOf(l.playbook), l.frequency});
    for (const Playbook &p : Playbooks::builtIn())
        all.append({p, statsOf(p), 0});
    return all;
}

Result<LearnedPlaybook> HealService::learn(const QString &fingerprint, const QString &service,
                                           const QList<PlaybookStep> &steps)
{
    Playbook candidate;
    candidate.name = u"learned"_s;
    candidate.fingerprint = fingerprint;
    candidate.steps = steps;
    if (const IssueList issues = Playbooks::validate(candidate); !issues.isEmpty())
        return Error{ErrorCode::InvalidInput, issues.first().message};
    auto history = m_store();
    if (!history)
        return history.error();
    return HealStore(**history).learn(fingerprint, service, steps); // its frequency is the count
}

} // namespace Portoser
