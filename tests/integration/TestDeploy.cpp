// SPDX-License-Identifier: Apache-2.0
// Deploys for real, over SSH, to the namespace test hosts: fresh, no-op, update, health-gate
// revert, failed dependencies, pruning, both locks, and an sshd killed in the middle of a deploy.
#include "core/Orchestrator.h"
#include "core/deploy/ServiceLock.h"
#include "tests/support/TempRegistry.h"
#include "tests/support/TestHosts.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTest>
#include <QtConcurrent>

#include <future>
#include <thread>

#include <unistd.h>

using namespace Portoser;
using namespace Portoser::Test;
using namespace Qt::Literals::StringLiterals;

class TestDeploy : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void freshDeployAcrossHostsThenNoOp();
    void updateSwitchesReleaseAndKeepsThePrevious();
    void failedHealthGateRevertsToThePrevious();
    void rollbackRestoresAnEarlierRecord();
    void moveDeploysGatesStopsOldThenEditsRegistry();
    void moveAsksAHostOfUnknownArch();
    void failedDependencyStopsItsDependents();
    void cancelLetsTheStartedFinishAndStartsNoMore();
    void stagedChangesRunOnTheRegistryTheMovesLeave();
    void aHostStartsAtMostItsMaxParallelAtOnce();
    void prunesToFiveReleases();
    void hostLockHeldElsewhereIsNamed();
    void serviceLockHolderIsNamed();
    void hostFaultMidDeployFailsOnlyThatHost_data();
    void hostFaultMidDeployFailsOnlyThatHost();
    void coordinatorKilledMidDeployIsInterrupted();
    void nativeServiceUsesItsServiceFileCommands();
    void localPythonServiceRunsFromItsVenv();
    void serviceFileOnlyOnTheHostIsReadThere();

private:
    /** registry.yml = the test hosts + `services`; sources written under src/. */
    Registry registry(const QByteArray &services);
    void writeSource(const QString &service, const QByteArray &index);
    QList<DeploymentRecord> deploy(const Registry &r, const QStringList &services = {});
    static QString fetch(const QString &url);
    void verifyRecovered(const Registry &r, const QString &service, const QString &host);
    QString serviceDir(const QString &host, const QString &service) const
    {
        return m_hosts.dir() + u'/' + host + u"/base/.portoser/"_s + service;
    }

    TestHosts m_hosts;
    std::unique_ptr<TempRegistry> m_temp;
    std::unique_ptr<Orchestrator> m_orchestrator;
};

void TestDeploy::initTestCase()
{
    m_hosts = TestHosts::fromEnvironment();
    if (m_hosts.size() < 3)
        QSKIP("needs root and three namespace test hosts (network namespaces, sshd)");
    m_temp = std::make_unique<TempRegistry>();
    qputenv("PORTOSER_HOME", m_temp->path(u"home"_s).toUtf8()); // coordinator locks
    OrchestratorSettings settings;
    settings.databasePath = m_temp->path(u"portoser.db"_s);
    m_orchestrator = std::make_unique<Orchestrator>(Interpolator::processEnvironment(), settings);
}

Registry TestDeploy::registry(const QByteArray &services)
{
    m_temp->writeRegistry(m_hosts.registryFragment() + "services:\n" + services);
    const CheckedRegistry checked = m_orchestrator->checkRegistry(m_temp->path());
    if (!checked.isValid())
        qWarning("%s", qPrintable(describe(checked.issues)));
    return checked.registry;
}

void TestDeploy::writeSource(const QString &service, const QByteArray &index)
{
    m_temp->write(u"src/%1/index.html"_s.arg(service), index);
}

QList<DeploymentRecord> TestDeploy::deploy(const Registry &r, const QStringList &services)
{
    auto plan = m_orchestrator->planDeploy(r, services);
    if (!plan) {
        qWarning("plan failed: %s", qPrintable(plan.error().message));
        return {};
    }
    auto records = m_orchestrator->deploy(r, *plan, DeployOptions{});
    if (!records) {
        qWarning("deploy failed: %s", qPrintable(records.error().message));
        return {};
    }
    return *records;
}

QString TestDeploy::fetch(const QString &url)
{
    QProcess curl;
    curl.start(u"curl"_s, {u"-fsS"_s, u"-m"_s, u"5"_s, url});
    curl.waitForFinished(10000);
    return QString::fromUtf8(curl.readAllStandardOutput()).trimmed();
}

namespace {

QByteArray webService(const char *name, const char *host, int port, const char *extra = "")
{
    return QByteArray("  ") + name + ":\n    current_host: " + host
           + "\n    deployment_type: process\n    source: src/" + name
           + "\n    command: python3 -m http.server " + QByteArray::number(port)
           + " --bind 0.0.0.0\n    port: " + QByteArray::number(port)
           + "\n    stop_timeout: 3\n    health: {type: http, path: /index.html, interval: 1, "
             "retries: 10}\n"
           + extra;
}

const DeploymentRecord *recordOf(const QList<DeploymentRecord> &records, const QString &service)
{
    for (const DeploymentRecord &r : records) {
        if (r.service == service)
            return &r;
    }
    return nullptr;
}

} // namespace

void TestDeploy::freshDeployAcrossHostsThenNoOp()
{
    for (const char *name : {"web1", "web2", "web3"})
        writeSource(QString::fromLatin1(name), QByteArray("v1 ") + name);
    const Registry r = registry(webService("web1", "h1", 19101)
                                + webService("web2", "h2", 19102, "    dependencies: [web1]\n")
                                + webService("web3", "h3", 19103));
    const QList<DeploymentRecord> records = deploy(r);
    QCOMPARE(records.size(), 3);
    for (const DeploymentRecord &rec : records)
        QVERIFY2(rec.succeeded(), qPrintable(rec.service + u": "_s + rec.reason));
    // Each service answers from its own host's address.
    QCOMPARE(fetch(u"http://%1:19101/index.html"_s.arg(m_hosts.address(u"h1"_s))), u"v1 web1"_s);
    QCOMPARE(fetch(u"http://%1:19102/index.html"_s.arg(m_hosts.address(u"h2"_s))), u"v1 web2"_s);
    QCOMPARE(fetch(u"http://%1:19103/index.html"_s.arg(m_hosts.address(u"h3"_s))), u"v1 web3"_s);
    // web2 waited for web1: it started after web1 ended.
    QVERIFY(recordOf(records, u"web2"_s)->startedAt >= recordOf(records, u"web1"_s)->endedAt);

    const auto states = m_orchestrator->status(r, {u"web1"_s, u"web2"_s, u"web3"_s});
    for (const ServiceState &s : states) {
        QCOMPARE(s.state, u"running"_s);
        QCOMPARE(s.health, u"healthy"_s);
        QVERIFY(!s.release.isEmpty());
    }
    auto plan = m_orchestrator->planDeploy(r, {});
    QVERIFY(plan);
    QVERIFY(!plan->hasChanges());
    QVERIFY(deploy(r).isEmpty()); // nothing changed: nothing deployed
}

void TestDeploy::updateSwitchesReleaseAndKeepsThePrevious()
{
    writeSource(u"web1"_s, "v2 web1");
    const Registry r = registry(webService("web1", "h1", 19101));
    auto plan = m_orchestrator->planDeploy(r, {u"web1"_s});
    QVERIFY(plan);
    QCOMPARE(plan->services.size(), 1);
    QVERIFY(plan->services.first().action == PlanAction::Update);
    const QString before = plan->services.first().liveRelease;
    const QList<DeploymentRecord> records = deploy(r, {u"web1"_s});
    QCOMPARE(records.size(), 1);
    QCOMPARE(toString(records.first().outcome), u"succeeded"_s);
    QCOMPARE(records.first().previousReleaseId, before);
    QCOMPARE(fetch(u"http://%1:19101/index.html"_s.arg(m_hosts.address(u"h1"_s))), u"v2 web1"_s);
    const QStringList releases = QDir(serviceDir(u"h1"_s, u"web1"_s) + u"/releases"_s)
                                     .entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QVERIFY(releases.contains(before));
    QVERIFY(releases.contains(records.first().releaseId));
}

void TestDeploy::failedHealthGateRevertsToThePrevious()
{
    writeSource(u"web1"_s, "v3 web1 (broken)");
    // The new release listens on the wrong port: its health check can never pass.
    QByteArray service = webService("web1", "h1", 19101);
    service.replace("http.server 19101", "http.server 19199");
    service.replace("retries: 10", "retries: 3");
    const Registry r = registry(service);
    const QList<DeploymentRecord> records = deploy(r, {u"web1"_s});
    QCOMPARE(records.size(), 1);
    const DeploymentRecord &rec = records.first();
    QCOMPARE(toString(rec.outcome), u"rolled_back"_s);
    QVERIFY2(rec.reason.contains(u"failed its health check"_s), qPrintable(rec.reason));
    // The previous release serves again, and `current` points at it.
    QCOMPARE(fetch(u"http://%1:19101/index.html"_s.arg(m_hosts.address(u"h1"_s))), u"v2 web1"_s);
    const QString current = QFile::symLinkTarget(serviceDir(u"h1"_s, u"web1"_s) + u"/current"_s);
    QVERIFY2(current.endsWith(rec.previousReleaseId), qPrintable(current));
    bool healthStepFailed = false;
    for (const StepRecord &s : rec.steps)
        healthStepFailed = healthStepFailed || (s.name == u"health"_s && !s.ok);
    QVERIFY(healthStepFailed);
    auto stored = m_orchestrator->historyRecord(rec.id);
    QVERIFY(stored);
    QCOMPARE(toString(stored->outcome), u"rolled_back"_s);
}

void TestDeploy::rollbackRestoresAnEarlierRecord()
{
    auto records = m_orchestrator->history(HistoryQuery::newest(u"web1"_s, 100));
    QVERIFY(records);
    const DeploymentRecord &first = records->last(); // the fresh deploy of v1
    QCOMPARE(toString(first.outcome), u"succeeded"_s);
    const Registry r = registry(webService("web1", "h1", 19101));
    auto rolledBack = m_orchestrator->rollback(r, first.id, DeployOptions{});
    QVERIFY2(rolledBack, qPrintable(rolledBack ? QString() : rolledBack.error().message));
    QCOMPARE(toString(rolledBack->action), u"rollback"_s);
    QCOMPARE(toString(rolledBack->outcome), u"succeeded"_s);
    QCOMPARE(rolledBack->releaseId, first.releaseId);
    QCOMPARE(fetch(u"http://%1:19101/index.html"_s.arg(m_hosts.address(u"h1"_s))), u"v1 web1"_s);
    // The registry still asks for the newer content: the next plan says so.
    writeSource(u"web1"_s, "v2 web1");
    auto plan = m_orchestrator->planDeploy(registry(webService("web1", "h1", 19101)), {u"web1"_s});
    QVERIFY(plan);
    QVERIFY(plan->services.first().action == PlanAction::Update);
}

void TestDeploy::moveDeploysGatesStopsOldThenEditsRegistry()
{
    writeSource(u"web3"_s, "v1 web3");
    const Registry r = registry(webService("web3", "h3", 19103));
    auto records = m_orchestrator->move(r, u"web3"_s, u"h4"_s, DeployOptions{});
    QVERIFY2(records, qPrintable(records ? QString() : records.error().message));
    QCOMPARE(records->size(), 1);
    const DeploymentRecord &rec = records->first();
    QCOMPARE(toString(rec.action), u"move"_s);
    QCOMPARE(toString(rec.outcome), u"succeeded"_s);
    QCOMPARE(rec.fromHost, u"h3"_s);
    QCOMPARE(rec.host, u"h4"_s);
    // Traffic follows: the new host answers, the old one no longer does.
    QCOMPARE(fetch(u"http://%1:19103/index.html"_s.arg(m_hosts.address(u"h4"_s))), u"v1 web3"_s);
    QCOMPARE(fetch(u"http://%1:19103/index.html"_s.arg(m_hosts.address(u"h3"_s))), QString());
    // The registry file now says h4, with only that value changed; the old file is kept.
    const CheckedRegistry reloaded = m_orchestrator->checkRegistry(m_temp->path());
    QVERIFY(reloaded.isValid());
    QCOMPARE(reloaded.registry.service(u"web3"_s)->currentHost, u"h4"_s);
    QFile now(m_temp->path()), backup(m_temp->path() + u".bak"_s);
    QVERIFY(now.open(QIODevice::ReadOnly) && backup.open(QIODevice::ReadOnly));
    QCOMPARE(
        QString::fromUtf8(backup.readAll()).replace(u"current_host: h3"_s, u"current_host: h4"_s),
        QString::fromUtf8(now.readAll()));
    auto plan = m_orchestrator->planDeploy(reloaded.registry, {u"web3"_s});
    QVERIFY(plan && !plan->hasChanges());
}

void TestDeploy::moveAsksAHostOfUnknownArch()
{
    // bare1 is h1's machine without an arch in the registry; armish claims arm64. Moving a
    // native service asks bare1 what it is (amd64 here) and refuses, before any deploy.
    const QByteArray key = m_hosts.dir().toUtf8() + "/id_ed25519\n    known_hosts: "
                           + m_hosts.dir().toUtf8() + "/known_hosts\n    ssh_user: root\n";
    m_temp->writeRegistry(m_hosts.registryFragment() + "  bare1:\n    ip: "
                          + m_hosts.address(u"h1"_s).toUtf8() + "\n    path: /tmp\n    ssh_key: "
                          + key + "  armish:\n    ip: " + m_hosts.address(u"h2"_s).toUtf8()
                          + "\n    path: /tmp\n    arch: arm64-linux\n    ssh_key: " + key
                          + "services:\n  nat:\n    current_host: bare1\n    deployment_type: "
                            "native\n    command: sleep 600\n");
    const CheckedRegistry checked = m_orchestrator->checkRegistry(m_temp->path());
    QVERIFY2(checked.isValid(), qPrintable(describe(checked.issues)));
    QVERIFY(!m_orchestrator->moveRefusal(checked.registry, u"nat"_s, u"armish"_s)); // unknown yet
    auto moved = m_orchestrator->move(checked.registry, u"nat"_s, u"armish"_s, DeployOptions{});
    QVERIFY(!moved);
    QVERIFY2(moved.error().message.contains(u"built for amd64-linux; armish is arm64-linux"_s),
             qPrintable(moved.error().message));
    QVERIFY(m_orchestrator->history(HistoryQuery::newest(u"nat"_s, 10))
                ->isEmpty()); // nothing was deployed
}

void TestDeploy::failedDependencyStopsItsDependents()
{
    const Registry r = registry(
        "  base:\n    current_host: h2\n    deployment_type: process\n    command: exit 1\n"
        "  top:\n    current_host: h3\n    deployment_type: process\n    command: sleep 600\n"
        "    dependencies: [base]\n");
    const QList<DeploymentRecord> records = deploy(r, {u"top"_s});
    QCOMPARE(records.size(), 2);
    QCOMPARE(toString(recordOf(records, u"base"_s)->outcome), u"failed"_s);
    const DeploymentRecord *top = recordOf(records, u"top"_s);
    QCOMPARE(toString(top->outcome), u"skipped"_s);
    QVERIFY2(top->reason.contains(u"dependency base failed"_s), qPrintable(top->reason));
    QVERIFY(!QFileInfo::exists(serviceDir(u"h3"_s, u"top"_s) + u"/current"_s)); // never touched
}

void TestDeploy::cancelLetsTheStartedFinishAndStartsNoMore()
{
    // Cancelled while `first` is starting: it and the services starting together with it on h2
    // (a host starts up to 4 of a wave at once) finish their deploy; `queued` (the fifth on h2,
    // waiting for the next four) and `later` (the next wave) end cancelled, hosts untouched.
    const Registry r = registry(
        "  a-one:\n    current_host: h2\n    deployment_type: process\n    command: sleep 600\n"
        "    stop_timeout: 2\n"
        "  a-two:\n    current_host: h2\n    deployment_type: process\n    command: sleep 600\n"
        "    stop_timeout: 2\n"
        "  a-three:\n    current_host: h2\n    deployment_type: process\n    command: sleep 600\n"
        "    stop_timeout: 2\n"
        "  first:\n    current_host: h2\n    deployment_type: process\n    command: sleep 600\n"
        "    stop_timeout: 2\n"
        "  queued:\n    current_host: h2\n    deployment_type: process\n    command: sleep 600\n"
        "  later:\n    current_host: h3\n    deployment_type: process\n    command: sleep 600\n"
        "    dependencies: [first]\n");
    auto cancel = std::make_shared<std::atomic_bool>(false);
    DeployOptions options;
    options.autoHeal = false;
    options.cancel = cancel;
    QStringList cancelledSteps;
    const auto records = m_orchestrator->deploy(
        r, QStringList{u"a-one"_s, u"a-two"_s, u"a-three"_s, u"first"_s, u"queued"_s, u"later"_s},
        options, [cancel, &cancelledSteps](const DeployProgress &p) {
            if (p.service == u"first"_s && p.step == DeployStep::Start)
                cancel->store(true);
            if (p.step == DeployStep::Cancelled)
                cancelledSteps.append(p.service);
        });
    QVERIFY2(records, records ? "" : qPrintable(records.error().message));
    // A wave lists its services by name: a-one, a-three, a-two and first start together.
    for (const QString &together : {u"a-one"_s, u"a-two"_s, u"a-three"_s})
        QCOMPARE(toString(recordOf(*records, together)->outcome), u"succeeded"_s);
    const DeploymentRecord *first = recordOf(*records, u"first"_s);
    const DeploymentRecord *queued = recordOf(*records, u"queued"_s);
    const DeploymentRecord *later = recordOf(*records, u"later"_s);
    QVERIFY(first && queued && later);
    QCOMPARE(toString(first->outcome), u"succeeded"_s);
    QCOMPARE(toString(queued->outcome), u"cancelled"_s);
    QCOMPARE(toString(later->outcome), u"cancelled"_s);
    QVERIFY2(later->reason.contains(u"cancelled by"_s), qPrintable(later->reason));
    QCOMPARE(cancelledSteps.size(), 2);
    QVERIFY(!QFileInfo::exists(serviceDir(u"h2"_s, u"queued"_s) + u"/current"_s));
    QVERIFY(!QFileInfo::exists(serviceDir(u"h3"_s, u"later"_s) + u"/current"_s));
    // The history says so too.
    QCOMPARE(
        toString(m_orchestrator->history(HistoryQuery::newest(u"later"_s, 1))->first().outcome),
        u"cancelled"_s);
}

void TestDeploy::aHostStartsAtMostItsMaxParallelAtOnce()
{
    // Three independent services on h3, each noting when it started and gated by a 2 s check.
    // With max_parallel 1 each starts after the one before passed its gate; with the default (4)
    // all three start together and pay the gate once.
    const QString notes = m_temp->path(u"starts"_s);
    QDir().mkpath(notes);
    auto services = [&notes](const char *prefix) {
        QByteArray yaml;
        for (int i = 1; i <= 3; ++i) {
            const QByteArray name = prefix + QByteArray::number(i);
            yaml +=
                "  " + name
                + ":\n    current_host: h3\n    deployment_type: process\n"
                  "    command: date +%s%N > "
                + notes.toUtf8() + '/' + name
                + "; exec sleep 600\n    stop_timeout: 2\n"
                  "    health: {type: command, command: \"sleep 2\", retries: 1, timeout: 20}\n";
        }
        return yaml;
    };
    auto startsOf = [&notes](const char *prefix) {
        QList<qint64> starts;
        for (int i = 1; i <= 3; ++i) {
            QFile f(notes + u'/' + QLatin1StringView(prefix) + QString::number(i));
            starts.append(f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toLongLong() : 0);
        }
        std::sort(starts.begin(), starts.end());
        return starts;
    };
    Registry r = registry(services("one-by-one-") + services("together-"));
    r.hosts[u"h3"_s].maxParallel = 1;
    const auto oneByOneRecords =
        deploy(r, {u"one-by-one-1"_s, u"one-by-one-2"_s, u"one-by-one-3"_s});
    QCOMPARE(oneByOneRecords.size(), 3);
    for (const DeploymentRecord &record : oneByOneRecords)
        QCOMPARE(toString(record.outcome), u"succeeded"_s);
    const QList<qint64> oneByOne = startsOf("one-by-one-");
    QVERIFY(oneByOne.first() > 0);
    QVERIFY2(oneByOne[1] - oneByOne[0] >= 2'000'000'000
                 && oneByOne[2] - oneByOne[1] >= 2'000'000'000,
             "with max_parallel 1 a service started before the one before it passed its gate");

    r.hosts[u"h3"_s].maxParallel = Host::DefaultMaxParallel;
    const auto records = deploy(r, {u"together-1"_s, u"together-2"_s, u"together-3"_s});
    QCOMPARE(records.size(), 3);
    const QList<qint64> together = startsOf("together-");
    QVERIFY(together.first() > 0);
    QVERIFY2(together[2] - together[0] < 2'000'000'000,
             "the default max_parallel did not start one host's services together");
}

void TestDeploy::stagedChangesRunOnTheRegistryTheMovesLeave()
{
    // The GUI's staged changes: base moves h2 -> h1, and top (which needs base) is marked for
    // a redeploy. The redeploy includes base: it must find base on h1, not move it back.
    const Registry r = registry(
        "  base:\n    current_host: h2\n    deployment_type: process\n    command: sleep 600\n"
        "    stop_timeout: 2\n"
        "  top:\n    current_host: h3\n    deployment_type: process\n    command: sleep 600\n"
        "    stop_timeout: 2\n    dependencies: [base]\n");
    DeployOptions options;
    options.autoHeal = false;
    QCOMPARE(deploy(r, {u"top"_s}).size(), 2);
    ChangeSet changes;
    changes.moves.insert(u"base"_s, u"h1"_s);
    changes.redeploys = {u"top"_s};
    const auto planned = m_orchestrator->planChanges(r, changes);
    QVERIFY2(planned, planned ? "" : qPrintable(planned.error().message));
    for (const PlannedService &p : *planned)
        QVERIFY2(p.service != u"base"_s || p.host == u"h1"_s, qPrintable(p.host));

    const ChangeResults done = m_orchestrator->deployChanges(r, changes, options);
    QVERIFY2(done.refused.isEmpty(), qPrintable(done.refused.join(u"; "_s)));
    for (const DeploymentRecord &rec : done.records) {
        QVERIFY2(rec.succeeded(), qPrintable(rec.service + u": "_s + rec.reason));
        if (rec.service == u"base"_s)
            QCOMPARE(rec.host, u"h1"_s); // never back to h2
    }
    const Registry after = m_orchestrator->checkRegistry(m_temp->path()).registry;
    const auto states = m_orchestrator->status(after, {u"base"_s, u"top"_s});
    QCOMPARE(states.value(u"base"_s).host, u"h1"_s);
    QCOMPARE(states.value(u"base"_s).state, u"running"_s);
    QCOMPARE(states.value(u"top"_s).state, u"running"_s);
}

void TestDeploy::prunesToFiveReleases()
{
    QString lastRelease;
    for (int i = 1; i <= 7; ++i) {
        m_temp->write(u"src/churn/version"_s, QByteArray::number(i));
        const Registry r = registry(
            "  churn:\n    current_host: h3\n    deployment_type: process\n    source: src/churn\n"
            "    command: sleep 600\n    stop_timeout: 2\n");
        const QList<DeploymentRecord> records = deploy(r, {u"churn"_s});
        QCOMPARE(records.size(), 1);
        QVERIFY2(records.first().succeeded(), qPrintable(records.first().reason));
        lastRelease = records.first().releaseId;
    }
    const QStringList releases = QDir(serviceDir(u"h3"_s, u"churn"_s) + u"/releases"_s)
                                     .entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QCOMPARE(releases.size(), 5);
    QVERIFY(releases.contains(lastRelease));
}

void TestDeploy::hostLockHeldElsewhereIsNamed()
{
    const QString lock = serviceDir(u"h2"_s, u"locked"_s) + u"/lock"_s;
    QVERIFY(QDir().mkpath(lock));
    QFile holder(lock + u"/holder"_s);
    QVERIFY(holder.open(QIODevice::WriteOnly));
    holder.write("coord=otherbox pid=4242\n");
    holder.close();
    QFile since(lock + u"/since"_s);
    QVERIFY(since.open(QIODevice::WriteOnly));
    since.write(QByteArray::number(QDateTime::currentSecsSinceEpoch()) + '\n');
    since.close();
    const Registry r = registry(
        "  locked:\n    current_host: h2\n    deployment_type: process\n    command: sleep 600\n");
    const QList<DeploymentRecord> records = deploy(r, {u"locked"_s});
    QCOMPARE(records.size(), 1);
    QCOMPARE(toString(records.first().outcome), u"failed"_s);
    QVERIFY2(records.first().reason.contains(u"otherbox"_s), qPrintable(records.first().reason));
    QDir(lock).removeRecursively();
}

void TestDeploy::serviceLockHolderIsNamed()
{
    const Registry r = registry(
        "  guarded:\n    current_host: h1\n    deployment_type: process\n    command: sleep 600\n");
    // Held by another thread, as another deploy would (the one that holds a lock may take it
    // again: a heal inside its own deploy).
    std::promise<bool> taken;
    std::promise<void> letGo;
    std::thread holder([&] {
        auto held = ServiceLock::acquire(u"guarded"_s, u"a test holding it"_s,
                                         std::chrono::milliseconds(1000));
        taken.set_value(bool(held));
        letGo.get_future().wait();
    });
    QVERIFY(taken.get_future().get());
    auto plan = m_orchestrator->planDeploy(r, {u"guarded"_s});
    QVERIFY(plan);
    DeployOptions options;
    options.lockWait = std::chrono::milliseconds(300);
    auto refused = m_orchestrator->deploy(r, *plan, options);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Conflict);
    QVERIFY2(refused.error().message.contains(u"a test holding it"_s),
             qPrintable(refused.error().message));
    auto refusedNow = m_orchestrator->deploy(r, QStringList{u"guarded"_s}, options);
    QVERIFY(!refusedNow);
    QVERIFY2(refusedNow.error().message.contains(u"a test holding it"_s),
             qPrintable(refusedNow.error().message));
    letGo.set_value();
    holder.join();
    auto allowed = m_orchestrator->deploy(r, *plan, options);
    QVERIFY2(allowed, qPrintable(allowed ? QString() : allowed.error().message));
}

void TestDeploy::hostFaultMidDeployFailsOnlyThatHost_data()
{
    QTest::addColumn<QString>("faulty");
    QTest::addColumn<QString>("healthy");
    QTest::addColumn<QString>("fault");
    QTest::addColumn<QString>("repair");
    QTest::addRow("sshd killed") << "h2"
                                 << "h3"
                                 << "kill-sshd"
                                 << "start-sshd";
    // Nothing answers any more, not even a reset: TCP keepalive notices within ~30 s.
    QTest::addRow("link taken down") << "h5"
                                     << "h1"
                                     << "link-down"
                                     << "link-up";
}

void TestDeploy::hostFaultMidDeployFailsOnlyThatHost()
{
    QFETCH(QString, faulty);
    QFETCH(QString, healthy);
    QFETCH(QString, fault);
    QFETCH(QString, repair);
    // Both services spend ~3 s in their health gate; the fault strikes during it.
    const QString victim = u"victim-"_s + faulty, bystander = u"bystander-"_s + healthy;
    const QByteArray slow =
        "    deployment_type: process\n    command: sleep 600\n    stop_timeout: 2\n"
        "    health: {type: command, command: 'sleep 3; true', retries: 1, timeout: 10}\n";
    const Registry r = registry("  " + victim.toUtf8() + ":\n    current_host: " + faulty.toUtf8()
                                + "\n" + slow + "  " + bystander.toUtf8()
                                + ":\n    current_host: " + healthy.toUtf8() + "\n" + slow);
    auto plan = m_orchestrator->planDeploy(r, {victim, bystander});
    QVERIFY(plan);
    // An Orchestrator is used from one thread: the deploy gets its own, on the same database.
    const QString db = m_temp->path(u"portoser.db"_s);
    const QDateTime deployStart = QDateTime::currentDateTime();
    QFuture<Result<QList<DeploymentRecord>>> running = QtConcurrent::run([&r, &plan, db] {
        OrchestratorSettings settings;
        settings.databasePath = db;
        Orchestrator own(Interpolator::processEnvironment(), settings);
        return own.deploy(r, *plan, DeployOptions{});
    });
    // Strike once the host is in the health gate (the new release started), not after a fixed
    // delay: on a loaded machine the upload may still be running after any fixed wait.
    // (Started by this deploy: an earlier run of the suite may have left the file behind.)
    QTRY_VERIFY_WITH_TIMEOUT(
        QFileInfo(serviceDir(faulty, victim) + u"/run/started"_s).lastModified() >= deployStart,
        30000);
    QVERIFY(m_hosts.tool({fault, faulty}));
    const auto records = running.result();
    QVERIFY(m_hosts.tool({repair, faulty}));
    QVERIFY2(records, qPrintable(records ? QString() : records.error().message));
    const DeploymentRecord *failed = recordOf(*records, victim);
    const DeploymentRecord *unaffected = recordOf(*records, bystander);
    QVERIFY(failed && unaffected);
    QCOMPARE(toString(failed->outcome), u"failed"_s);
    QVERIFY2(failed->reason.contains(faulty), qPrintable(failed->reason));
    QCOMPARE(toString(unaffected->outcome), u"succeeded"_s);
    verifyRecovered(r, victim, faulty);
}

void TestDeploy::verifyRecovered(const Registry &r, const QString &service, const QString &host)
{
    // On the host the script ran to its end (it ignores the lost connection): `current` names a
    // complete release, the lock goes, and the next deploy succeeds with no temp dirs left.
    const QString dir = serviceDir(host, service);
    QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(dir + u"/lock"_s), 15000);
    QVERIFY(QFileInfo(QFile::symLinkTarget(dir + u"/current"_s)).isDir());
    for (const DeploymentRecord &rec : deploy(r, {service}))
        QVERIFY2(rec.succeeded(), qPrintable(rec.reason));
    QCOMPARE(m_orchestrator->status(r, {service}).value(service).state, u"running"_s);
    QVERIFY(QDir(dir).entryList({u".tmp-*"_s}, QDir::AllEntries | QDir::Hidden).isEmpty());
}

void TestDeploy::coordinatorKilledMidDeployIsInterrupted()
{
    // A real `portoser --cli deploy` process, SIGKILLed while the host runs the health gate.
    const Registry r = registry(
        "  orphan:\n    current_host: h4\n    deployment_type: process\n    command: sleep 600\n"
        "    stop_timeout: 2\n    health: {type: command, command: 'sleep 3; true', retries: 1, "
        "timeout: 10}\n");
    QProcess cli;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PORTOSER_HOME"_s, m_temp->path(u"home"_s));
    cli.setProcessEnvironment(env);
    cli.start(qEnvironmentVariable("PORTOSER_BINARY"),
              {u"--cli"_s, u"--registry"_s, m_temp->path(), u"--db"_s,
               m_temp->path(u"portoser.db"_s), u"deploy"_s, u"orphan"_s});
    QVERIFY(cli.waitForStarted());
    QByteArray progress;
    QTRY_VERIFY_WITH_TIMEOUT((progress += cli.readAllStandardError()).contains("health"), 20000);
    cli.kill(); // SIGKILL: no cleanup runs in the coordinator
    QVERIFY(cli.waitForFinished(5000));

    // A new coordinator opening the history finds the record cut short.
    OrchestratorSettings settings;
    settings.databasePath = m_temp->path(u"portoser.db"_s);
    Orchestrator fresh(Interpolator::processEnvironment(), settings);
    auto records = fresh.history(HistoryQuery::newest(u"orphan"_s, 10));
    QVERIFY(records);
    QCOMPARE(records->size(), 1);
    QCOMPARE(toString(records->first().outcome), u"interrupted"_s);

    verifyRecovered(r, u"orphan"_s, u"h4"_s);
}

void TestDeploy::nativeServiceUsesItsServiceFileCommands()
{
    // A service.yml beside the registry, as upstream keeps them; its start returns at once, like
    // `systemctl start` does, leaving the server running in the background.
    m_temp->write(u"nativeweb/service.yml"_s,
                  "name: nativeweb\ntype: native\nport: 19301\n"
                  "start: nohup python3 -m http.server 19301 --bind 0.0.0.0 >/dev/null 2>&1 & echo "
                  "$! > native.pid\n"
                  "stop: kill $(cat native.pid)\n"
                  "status: kill -0 $(cat native.pid) 2>/dev/null && echo running || echo stopped\n"
                  "healthcheck: curl -fsS -o /dev/null http://127.0.0.1:19301/\n");
    const Registry r = registry("  nativeweb:\n    current_host: h3\n    deployment_type: native\n"
                                "    service_file: /nativeweb/service.yml\n");
    const QList<DeploymentRecord> records = deploy(r, {u"nativeweb"_s});
    QCOMPARE(records.size(), 1);
    QVERIFY2(records.first().succeeded(), qPrintable(records.first().reason));
    QVERIFY(!fetch(u"http://%1:19301/"_s.arg(m_hosts.address(u"h3"_s))).isEmpty());
    QCOMPARE(m_orchestrator->status(r, {u"nativeweb"_s}).value(u"nativeweb"_s).state, u"running"_s);
    QVERIFY(m_orchestrator->stop(r, u"nativeweb"_s, u"test"_s));
    QTRY_COMPARE_WITH_TIMEOUT(fetch(u"http://%1:19301/"_s.arg(m_hosts.address(u"h3"_s))), QString(),
                              5000);
    QCOMPARE(m_orchestrator->status(r, {u"nativeweb"_s}).value(u"nativeweb"_s).state, u"stopped"_s);
}

void TestDeploy::localPythonServiceRunsFromItsVenv()
{
    m_temp->write(u"src/pyapp/requirements.txt"_s,
                  "# nothing to install: the suite has no package index\n");
    m_temp->write(
        u"src/pyapp/app.py"_s,
        "import http.server, os, sys\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        body = sys.prefix.encode()\n"
        "        self.send_response(200); self.send_header('Content-Length', str(len(body))); "
        "self.end_headers()\n"
        "        self.wfile.write(body)\n"
        "http.server.HTTPServer(('0.0.0.0', int(os.environ['PORT'])), H).serve_forever()\n");
    const Registry r = registry(
        "  pyapp:\n    current_host: h4\n    deployment_type: local\n    python_manager: venv\n"
        "    source: src/pyapp\n    command: python app.py\n    port: 19401\n"
        "    health: {type: http, path: /, interval: 1}\n");
    (void)m_orchestrator->stop(r, u"pyapp"_s, u"test"_s); // a clean slate when run again by hand
    QDir(serviceDir(u"h4"_s, u"pyapp"_s)).removeRecursively();
    const QList<DeploymentRecord> records = deploy(r, {u"pyapp"_s});
    QCOMPARE(records.size(), 1);
    QVERIFY2(records.first().succeeded(), qPrintable(records.first().reason));
    bool built = false;
    for (const StepRecord &step : records.first().steps)
        built = built || step.name == u"build"_s;
    QVERIFY(built);
    // The service's interpreter is the release's own venv.
    const QString prefix = fetch(u"http://%1:19401/"_s.arg(m_hosts.address(u"h4"_s)));
    QVERIFY2(prefix.startsWith(serviceDir(u"h4"_s, u"pyapp"_s) + u"/releases/"_s)
                 && prefix.endsWith(u"/.venv"_s),
             qPrintable(prefix));
    // A restart of the same release does not build again.
    auto again =
        m_orchestrator->restart(r, PlanRequest{PlanIntent::Restart, {u"pyapp"_s}}, DeployOptions{});
    QVERIFY(again && again->size() == 1);
    for (const StepRecord &step : again->first().steps)
        QVERIFY(step.name != u"build"_s);
}

void TestDeploy::serviceFileOnlyOnTheHostIsReadThere()
{
    // Upstream keeps service.yml on the host, under its base path; the coordinator has none.
    const QString dir = m_hosts.dir() + u"/h5/base/hostweb"_s;
    QVERIFY(QDir().mkpath(dir));
    QFile yml(dir + u"/service.yml"_s);
    QVERIFY(yml.open(QIODevice::WriteOnly));
    yml.write("name: hostweb\ntype: native\nport: 19501\n"
              "start: nohup python3 -m http.server 19501 --bind 0.0.0.0 >/dev/null 2>&1 & echo $! "
              "> hostweb.pid\n"
              "stop: kill $(cat hostweb.pid)\n"
              "status: kill -0 $(cat hostweb.pid) 2>/dev/null && echo running || echo stopped\n"
              "healthcheck: curl -fsS -o /dev/null http://127.0.0.1:19501/\n");
    yml.close();
    const Registry r = registry("  hostweb:\n    current_host: h5\n    deployment_type: native\n"
                                "    service_file: /hostweb/service.yml\n");
    QVERIFY(!r.service(u"hostweb"_s)->serviceFile.has_value());
    const QList<DeploymentRecord> records = deploy(r, {u"hostweb"_s});
    QCOMPARE(records.size(), 1);
    QVERIFY2(records.first().succeeded(), qPrintable(records.first().reason));
    QVERIFY(!fetch(u"http://%1:19501/"_s.arg(m_hosts.address(u"h5"_s))).isEmpty());
    // Status and stop use what the host recorded at activation, not the coordinator's guess.
    QCOMPARE(m_orchestrator->status(r, {u"hostweb"_s}).value(u"hostweb"_s).state, u"running"_s);
    QVERIFY(m_orchestrator->stop(r, u"hostweb"_s, u"test"_s));
    QTRY_COMPARE_WITH_TIMEOUT(fetch(u"http://%1:19501/"_s.arg(m_hosts.address(u"h5"_s))), QString(),
                              5000);
    QCOMPARE(m_orchestrator->status(r, {u"hostweb"_s}).value(u"hostweb"_s).state, u"stopped"_s);

    // A service_file that is nowhere is a clear failure naming it.
    const Registry missing =
        registry("  nofile:\n    current_host: h5\n    deployment_type: native\n"
                 "    service_file: /nowhere/service.yml\n");
    const QList<DeploymentRecord> failed = deploy(missing, {u"nofile"_s});
    QCOMPARE(failed.size(), 1);
    QCOMPARE(toString(failed.first().outcome), u"failed"_s);
    QVERIFY2(failed.first().reason.contains(u"nowhere/service.yml"_s),
             qPrintable(failed.first().reason));
}

QTEST_GUILESS_MAIN(TestDeploy)
#include "TestDeploy.moc"
