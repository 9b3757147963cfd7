// SPDX-License-Identifier: Apache-2.0
// The self-healing loop on the namespace test hosts, with real processes: a killed service comes
// back, a crash loop is given up without a restart storm, a foreign port holder is reported and
// left alone, an unreachable host causes no false restarts, and disk pressure is pruned away.
#include "core/Orchestrator.h"
#include "core/runtime/HealLoop.h"
#include "tests/support/TempRegistry.h"
#include "tests/support/TestHosts.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>
#include <QTimer>

#include <csignal>

using namespace Portoser;
using namespace Portoser::Test;
using namespace Qt::Literals::StringLiterals;

class TestHeal : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void killedProcessIsRestartedByTheCli();
    void crashLoopIsGivenUpWithoutAStorm();
    void foreignPortHolderIsReportedNotKilled();
    void unreachableHostCausesNoRestart();
    void diskPressureIsPruned();
    void operatorPlaybookRunsItsCommandQuoted();
    void failedSystemdUnitIsResetBeforeItsRestart();
    void watchdogHealsOnItsThreadWithoutBlocking();
    void launchdThrottleIsRespectedOnMacs();
    void healerRestartsWhatIsDeployedNotTheEdit();

private:
    Registry registry(const QByteArray &services, const QByteArray &extraHosts = {});
    bool deploy(const Registry &r, const QStringList &services);
    HealReport heal(const Registry &r, const QStringList &services);
    QString serviceDir(const QString &host, const QString &service) const
    {
        return m_hosts.dir() + u'/' + host + u"/base/.portoser/"_s + service;
    }
    QList<DeploymentRecord> healerRecords(const QString &service);

    TestHosts m_hosts;
    std::unique_ptr<TempRegistry> m_temp;
    std::unique_ptr<Orchestrator> m_orchestrator;
};

namespace {

QByteArray webService(const char *name, const char *host, int port, const char *extra = "")
{
    return QByteArray("  ") + name + ":\n    current_host: " + host
           + "\n    deployment_type: process\n    source: src/web"
           + "\n    command: python3 -m http.server " + QByteArray::number(port)
           + " --bind 0.0.0.0\n    port: " + QByteArray::number(port)
           + "\n    stop_timeout: 3\n    health: {type: http, path: /index.html, interval: 1, "
             "retries: 10}\n"
           + extra;
}

bool hasEvent(const QList<HealEvent> &events, HealEvent::Kind kind, const QString &fingerprint)
{
    return std::any_of(events.cbegin(), events.cend(), [&](const HealEvent &e) {
        return e.kind == kind && e.fingerprint == fingerprint;
    });
}

} // namespace

void TestHeal::initTestCase()
{
    m_hosts = TestHosts::fromEnvironment();
    if (m_hosts.size() < 5)
        QSKIP("needs root and five namespace test hosts (network namespaces, sshd)");
    m_temp = std::make_unique<TempRegistry>();
    m_temp->write(u"src/web/index.html"_s, "healthy\n");
    qputenv("PORTOSER_HOME", m_temp->path(u"home"_s).toUtf8());
    OrchestratorSettings settings;
    settings.databasePath = m_temp->path(u"portoser.db"_s);
    settings.playbookDirectory = m_temp->path(u"playbooks"_s);
    m_orchestrator = std::make_unique<Orchestrator>(Interpolator::processEnvironment(), settings);
    // What an earlier run left on the hosts (the fixture keeps hosts up between local runs).
    const QList<std::pair<QString, QString>> services = {
        {u"h1"_s, u"phoenix"_s}, {u"h2"_s, u"flappy"_s}, {u"h3"_s, u"squatted"_s},
        {u"h4"_s, u"steady"_s},  {u"h1"_s, u"noted"_s},  {u"h4"_s, u"unitized"_s},
        {u"h5"_s, u"watched"_s}};
    for (const auto &[host, service] : services) {
        QFile pid(serviceDir(host, service) + u"/run/pid"_s);
        const qint64 group = pid.open(QIODevice::ReadOnly) ? pid.readAll().trimmed().toLongLong()
                                                           : 0; // "native"/"docker" read as 0
        if (group > 1)
            ::kill(-pid_t(group), SIGKILL);
        QDir(serviceDir(host, service)).removeRecursively();
    }
}

Registry TestHeal::registry(const QByteArray &services, const QByteArray &extraHosts)
{
    m_temp->writeRegistry(m_hosts.registryFragment() + extraHosts + "services:\n" + services);
    const CheckedRegistry checked = m_orchestrator->checkRegistry(m_temp->path());
    if (!checked.isValid())
        qWarning("%s", qPrintable(describe(checked.issues)));
    return checked.registry;
}

bool TestHeal::deploy(const Registry &r, const QStringList &services)
{
    auto plan = m_orchestrator->planDeploy(r, services);
    if (!plan)
        return false;
    auto records = m_orchestrator->deploy(r, *plan, DeployOptions{});
    if (!records)
        return false;
    for (const DeploymentRecord &rec : *records) {
        if (rec.outcome != Outcome::Succeeded) {
            qWarning("%s: %s", qPrintable(rec.service), qPrintable(rec.reason));
            return false;
        }
    }
    return true;
}

HealReport TestHeal::heal(const Registry &r, const QStringList &services)
{
    HealOptions options;
    options.services = services;
    options.backoffBaseMs = 300;
    auto report = m_orchestrator->heal(r, options);
    if (!report)
        qWarning("heal failed: %s", qPrintable(report.error().message));
    return report ? *report : HealReport{};
}

QList<DeploymentRecord> TestHeal::healerRecords(const QString &service)
{
    QList<DeploymentRecord> mine;
    const auto all = m_orchestrator->history(HistoryQuery::newest(service, 100));
    for (const DeploymentRecord &r : all ? *all : QList<DeploymentRecord>()) {
        if (r.actor == u"healer"_s)
            mine.append(r);
    }
    return mine;
}

void TestHeal::killedProcessIsRestartedByTheCli()
{
    const Registry r = registry(webService("phoenix", "h1", 19201));
    QVERIFY(deploy(r, {u"phoenix"_s}));
    const ServiceState before = m_orchestrator->status(r, {u"phoenix"_s}).value(u"phoenix"_s);
    QCOMPARE(before.state, u"running"_s);
    // kill -9 the service's own process (the python server in the service's process group).
    QProcess pkill;
    pkill.start(u"pkill"_s, {u"-KILL"_s, u"-g"_s, QString::number(before.pid), u"python3"_s});
    QVERIFY(pkill.waitForFinished(5000) && pkill.exitCode() == 0);
    QTRY_COMPARE(m_orchestrator->status(r, {u"phoenix"_s}).value(u"phoenix"_s).state, u"dead"_s);

    auto diagnosis = m_orchestrator->diagnose(r, {u"phoenix"_s});
    QVERIFY(diagnosis);
    const ServiceDiagnosis d = diagnosis->diagnosis.services.value(u"phoenix"_s);
    QVERIFY(d.problem(Fingerprint::ProcessDead));
    QVERIFY2(d.problem(Fingerprint::ProcessDead)->summary.contains(u"SIGKILL"_s),
             qPrintable(d.problem(Fingerprint::ProcessDead)->summary));
    QVERIFY(d.score < 50);

    // The real binary, as a script would run it.
    QProcess cli;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PORTOSER_HOME"_s, m_temp->path(u"home"_s));
    cli.setProcessEnvironment(env);
    cli.start(qEnvironmentVariable("PORTOSER_BINARY"),
              {u"--cli"_s, u"--registry"_s, m_temp->path(), u"--db"_s,
               m_temp->path(u"portoser.db"_s), u"heal"_s, u"--once"_s, u"--json"_s, u"phoenix"_s});
    QVERIFY(cli.waitForFinished(60000));
    const QByteArray out = cli.readAllStandardOutput();
    QVERIFY2(cli.exitCode() == 0, // stderr first: a long answer would cut it off
             QByteArray("exit " + QByteArray::number(cli.exitCode()) + ": "
                        + cli.readAllStandardError() + '\n' + out)
                 .constData());
    const QJsonArray actions = QJsonDocument::fromJson(out).object().value(u"actions"_s).toArray();
    QVERIFY2(std::any_of(actions.begin(), actions.end(),
                         [](const QJsonValue &a) {
                             return a[u"step"_s] == u"restart"_s && a[u"outcome"_s] == u"done"_s;
                         }),
             QByteArray(out + cli.readAllStandardError()).constData());

    const ServiceState after = m_orchestrator->status(r, {u"phoenix"_s}).value(u"phoenix"_s);
    QCOMPARE(after.state, u"running"_s);
    QCOMPARE(after.health, u"healthy"_s);
    QVERIFY(after.pid != before.pid);
    QCOMPARE(healerRecords(u"phoenix"_s).size(), 1);
    auto events = m_orchestrator->healEvents(u"phoenix"_s, 10);
    QVERIFY(events);
    QVERIFY(hasEvent(*events, HealEvent::Kind::Down, Fingerprint::ProcessDead));
    QVERIFY(hasEvent(*events, HealEvent::Kind::Recovered, Fingerprint::ProcessDead));
    auto insights = m_orchestrator->insights(r, u"phoenix"_s);
    QVERIFY(insights && !insights->downNow && insights->fingerprints.size() == 1);
    QCOMPARE(insights->fingerprints.first().recovered, 1);
    // Learned: the built-in playbook worked once for process_dead.
    auto knowledge = m_orchestrator->knowledge();
    QVERIFY(knowledge);
    QVERIFY(std::any_of(knowledge->cbegin(), knowledge->cend(), [](const KnowledgeRow &k) {
        return k.fingerprint == Fingerprint::ProcessDead && !k.playbook.isEmpty() && k.worked == 1;
    }));
}

void TestHeal::crashLoopIsGivenUpWithoutAStorm()
{
    // Runs until a marker file appears; from then on it exits at once, every time.
    const QString marker = m_temp->path(u"crash-now"_s);
    const Registry r = registry(
        "  flappy:\n    current_host: h2\n    deployment_type: process\n    command: \"test -f "
        + marker.toUtf8()
        + " && { echo boom; exit 3; }; exec sleep 600\"\n    stop_timeout: 2\n"
          "    heal: {max_restarts: 3, window: 300}\n");
    QVERIFY(deploy(r, {u"flappy"_s}));
    QFile(marker).open(QIODevice::WriteOnly);
    const ServiceState running = m_orchestrator->status(r, {u"flappy"_s}).value(u"flappy"_s);
    ::kill(pid_t(-running.pid), SIGKILL);

    // Passes as a watchdog would make them, for longer than the backoff needs to spend the budget.
    QList<HealAction> actions;
    QDeadlineTimer deadline(20000);
    bool givenUp = false;
    while (!deadline.hasExpired()) {
        const HealReport report = heal(r, {u"flappy"_s});
        actions += report.actions;
        givenUp = std::any_of(report.actions.cbegin(), report.actions.cend(),
                              [](const HealAction &a) { return a.outcome == u"given_up"_s; });
        if (givenUp)
            break;
        QTest::qWait(250);
    }
    QVERIFY2(givenUp, "the budget of 3 restarts was never exhausted");
    // More passes change nothing: no restart storm.
    for (int i = 0; i < 3; ++i)
        actions += heal(r, {u"flappy"_s}).actions;
    const int restarts =
        int(std::count_if(actions.cbegin(), actions.cend(), [](const HealAction &a) {
            return a.step == u"restart"_s && (a.outcome == u"done"_s || a.outcome == u"failed"_s);
        }));
    QCOMPARE(restarts, 3);
    QCOMPARE(healerRecords(u"flappy"_s).size(), 3);
    // The host counted the starts: the deploy's and the healer's three, nothing more.
    QFile starts(serviceDir(u"h2"_s, u"flappy"_s) + u"/run/starts"_s);
    QVERIFY(starts.open(QIODevice::ReadOnly));
    QCOMPARE(starts.readAll().count('\n'), 4);
    // It was recognised as a crash loop, and diagnose says it is given up.
    auto diagnosis = m_orchestrator->diagnose(r, {u"flappy"_s});
    QVERIFY(diagnosis);
    QVERIFY(diagnosis->diagnosis.services.value(u"flappy"_s).problem(Fingerprint::CrashLoop));
    QVERIFY(diagnosis->healState.value(u"flappy"_s).givenUpAt > 0);
    auto events = m_orchestrator->healEvents(u"flappy"_s, 50);
    QVERIFY(hasEvent(*events, HealEvent::Kind::GivenUp, Fingerprint::CrashLoop));

    // An operator acts (a restart of their own): the healer may work on it again.
    QFile::remove(marker);
    auto restarted = m_orchestrator->restart(r, PlanRequest{PlanIntent::Restart, {u"flappy"_s}},
                                             DeployOptions{});
    QVERIFY(restarted && restarted->first().succeeded());
    const HealReport after = heal(r, {u"flappy"_s});
    QVERIFY(after.diagnosis.services.value(u"flappy"_s).healthy());
    QVERIFY(!m_orchestrator->diagnose(r, {u"flappy"_s})->healState.value(u"flappy"_s).givenUpAt);
}

void TestHeal::foreignPortHolderIsReportedNotKilled()
{
    const Registry r = registry(webService("squatted", "h3", 19203));
    QVERIFY(deploy(r, {u"squatted"_s}));
    const ServiceState running = m_orchestrator->status(r, {u"squatted"_s}).value(u"squatted"_s);
    ::kill(pid_t(-running.pid), SIGKILL);
    QTest::qWait(300);
    // Someone else's server takes the port on that host.
    QProcess squatter;
    squatter.start(u"ip"_s, {u"netns"_s, u"exec"_s, u"pt-h3"_s, u"python3"_s, u"-m"_s,
                             u"http.server"_s, u"19203"_s, u"--bind"_s, u"0.0.0.0"_s});
    QVERIFY(squatter.waitForStarted());
    const qint64 holder = squatter.processId();
    QTRY_VERIFY_WITH_TIMEOUT(
        m_orchestrator->observe(r, {u"squatted"_s}).value(0).listeners.contains(19203), 10000);

    auto diagnosis = m_orchestrator->diagnose(r, {u"squatted"_s});
    QVERIFY(diagnosis);
    const Problem *held =
        diagnosis->diagnosis.services.value(u"squatted"_s).problem(Fingerprint::PortHeld);
    QVERIFY(held);
    QCOMPARE(held->holderPid, holder);
    QVERIFY2(held->evidence.join(u' ').contains(QString::number(holder)),
             qPrintable(held->evidence.join(u' ')));

    const HealReport report = heal(r, {u"squatted"_s});
    QVERIFY(std::any_of(report.actions.cbegin(), report.actions.cend(), [](const HealAction &a) {
        return a.fingerprint == Fingerprint::PortHeld && a.outcome == u"reported"_s;
    }));
    QVERIFY(healerRecords(u"squatted"_s).isEmpty()); // nothing restarted into a taken port
    QCOMPARE(squatter.state(), QProcess::Running);   // and nothing killed

    // Allowed twice over (the registry entry and an operator playbook), the holder is stopped
    // and the service restarted in the same pass.
    m_temp->write(u"playbooks/evict.yml"_s,
                  "name: evict\nfingerprint: port_held\nservices: [squatted]\n"
                  "steps:\n  - {action: free_port, kill: true}\n");
    const Registry allowed =
        registry(webService("squatted", "h3", 19203, "    heal: {kill_port_holder: true}\n"));
    const HealReport evicted = heal(allowed, {u"squatted"_s});
    QVERIFY(squatter.waitForFinished(10000));
    QCOMPARE(healerRecords(u"squatted"_s).size(), 1);
    QCOMPARE(m_orchestrator->status(allowed, {u"squatted"_s}).value(u"squatted"_s).health,
             u"healthy"_s);
    QFile::remove(m_temp->path(u"playbooks/evict.yml"_s));
}

void TestHeal::unreachableHostCausesNoRestart()
{
    const Registry r = registry(webService("steady", "h4", 19204));
    QVERIFY(deploy(r, {u"steady"_s}));
    const qint64 pid = m_orchestrator->status(r, {u"steady"_s}).value(u"steady"_s).pid;
    QVERIFY(m_hosts.tool({u"kill-sshd"_s, u"h4"_s}));
    const HealReport cut = heal(r, {u"steady"_s});
    QVERIFY(m_hosts.tool({u"start-sshd"_s, u"h4"_s}));
    const ServiceDiagnosis d = cut.diagnosis.services.value(u"steady"_s);
    QVERIFY(d.problem(Fingerprint::HostUnreachable));
    QCOMPARE(d.score, 0);
    QVERIFY(std::all_of(cut.actions.cbegin(), cut.actions.cend(),
                        [](const HealAction &a) { return a.outcome == u"waiting"_s; }));

    const HealReport back = heal(r, {u"steady"_s});
    QVERIFY(back.diagnosis.services.value(u"steady"_s).healthy());
    QVERIFY(hasEvent(back.events, HealEvent::Kind::Recovered, Fingerprint::HostUnreachable));
    QVERIFY(healerRecords(u"steady"_s).isEmpty());
    QCOMPARE(m_orchestrator->status(r, {u"steady"_s}).value(u"steady"_s).pid, pid);
}

void TestHeal::diskPressureIsPruned()
{
    // A 8 MiB tmpfs as the base path of a host on h5's machine, mounted inside its sshd's mount
    // namespace (where the host's sessions see it).
    const QString base = u"/tmp/portoser-heal-disk-%1"_s.arg(QCoreApplication::applicationPid());
    QVERIFY(m_hosts.ssh(u"h5"_s, u"mkdir -p %1 && mount -t tmpfs -o size=8m tmpfs %1"_s.arg(base)));
    const QByteArray host = "  h5disk:\n    ip: " + m_hosts.address(u"h5"_s).toUtf8()
                            + "\n    ssh_user: root\n    ssh_key: " + m_hosts.dir().toUtf8()
                            + "/id_ed25519\n    known_hosts: " + m_hosts.dir().toUtf8()
                            + "/known_hosts\n    path: " + base.toUtf8() + "\n";
    const Registry r = registry("  hoarder:\n    current_host: h5disk\n    deployment_type: "
                                "process\n    command: sleep 600\n    stop_timeout: 2\n"
                                "    health: {type: command, command: 'true', retries: 1}\n",
                                host);
    QVERIFY(deploy(r, {u"hoarder"_s}));
    // Old releases and a big log fill it past 90 %.
    const QString svc = base + u"/.portoser/hoarder"_s;
    QVERIFY(m_hosts.ssh(u"h5"_s, u"for r in old1 old2 old3; do mkdir -p %1/releases/$r && "
                                 "head -c 2000000 /dev/zero > %1/releases/$r/blob; done; "
                                 "head -c 1500000 /dev/zero >> %1/logs/hoarder.log"_s.arg(svc)));
    auto before = m_orchestrator->diagnose(r, {u"hoarder"_s});
    QVERIFY(before);
    QVERIFY2(before->diagnosis.hosts.value(u"h5disk"_s).problems.size() == 1,
             qPrintable(
                 QString::number(before->diagnosis.hosts.value(u"h5disk"_s).observed.diskUsedPct)));
    QVERIFY(before->diagnosis.services.value(u"hoarder"_s).problem(Fingerprint::DiskFull));

    const HealReport report = heal(r, {u"hoarder"_s});
    QVERIFY(std::any_of(report.actions.cbegin(), report.actions.cend(), [](const HealAction &a) {
        return a.fingerprint == Fingerprint::DiskFull && a.outcome == u"done"_s;
    }));
    const auto left =
        m_hosts.ssh(u"h5"_s, u"ls %1/releases; wc -c < %1/logs/hoarder.log"_s.arg(svc));
    QVERIFY(left);
    QVERIFY2(!left->contains("old1") && !left->contains("old3"), left->constData());
    auto after = m_orchestrator->diagnose(r, {u"hoarder"_s});
    QVERIFY(after);
    QVERIFY(after->diagnosis.hosts.value(u"h5disk"_s).problems.isEmpty());
    // The service itself was never touched.
    QVERIFY(healerRecords(u"hoarder"_s).isEmpty());
    QCOMPARE(m_orchestrator->status(r, {u"hoarder"_s}).value(u"hoarder"_s).state, u"running"_s);

    // Full again, and a new 1.5 MB release to deploy: the healer prunes before the upload.
    QVERIFY(
        m_hosts.ssh(u"h5"_s, u"for r in old4 old5 old6; do mkdir -p %1/releases/$r && "
                             "head -c 2300000 /dev/zero > %1/releases/$r/blob; done"_s.arg(svc)));
    m_temp->write(u"src/hoard/blob"_s, QByteArray(1500000, 'x'));
    const Registry bigger = registry("  hoarder:\n    current_host: h5disk\n    deployment_type: "
                                     "process\n    source: src/hoard\n"
                                     "    command: sleep 600\n    stop_timeout: 2\n"
                                     "    health: {type: command, command: 'true', retries: 1}\n",
                                     host);
    auto plan = m_orchestrator->planDeploy(bigger, {u"hoarder"_s});
    QVERIFY(plan);
    QStringList progress;
    auto records =
        m_orchestrator->deploy(bigger, *plan, DeployOptions{}, [&](const DeployProgress &p) {
            progress.append(toString(p.step) + u": "_s + p.detail);
        });
    QVERIFY(records && records->size() == 1);
    QVERIFY2(records->first().succeeded(),
             qPrintable(records->first().reason + u'\n' + progress.join(u'\n')));
    QVERIFY2(progress.first().startsWith(u"heal: disk_full: prune done"_s),
             qPrintable(progress.join(u'\n')));
    const auto after2 = m_hosts.ssh(u"h5"_s, u"ls %1/releases"_s.arg(svc));
    QVERIFY(after2 && !after2->contains("old4"));

    QVERIFY(m_orchestrator->stop(bigger, u"hoarder"_s, u"test"_s));
    QVERIFY(m_hosts.ssh(u"h5"_s, u"umount %1 && rmdir %1"_s.arg(base)));
}

void TestHeal::operatorPlaybookRunsItsCommandQuoted()
{
    // An operator playbook for this service replaces the built-in restart; its parameters are
    // quoted, so a hostile-looking value stays one word.
    m_temp->write(
        u"playbooks/touch-then-restart.yml"_s,
        "name: touch-then-restart\nfingerprint: process_dead\nservices: [noted]\n"
        "steps:\n  - command: \"touch {service_dir}/healed-by-playbook; echo {service}\"\n"
        "  - restart\n");
    m_temp->write(u"playbooks/broken.yml"_s,
                  "name: broken\nfingerprint: no_such_thing\nsteps: [restart]\n");
    const Registry r = registry(
        "  noted:\n    current_host: h1\n    deployment_type: process\n    command: sleep 600\n"
        "    stop_timeout: 2\n");
    QVERIFY(deploy(r, {u"noted"_s}));
    ::kill(pid_t(-m_orchestrator->status(r, {u"noted"_s}).value(u"noted"_s).pid), SIGKILL);
    QTest::qWait(200);

    auto diagnosis = m_orchestrator->diagnose(r, {u"noted"_s});
    QVERIFY(diagnosis);
    QCOMPARE(diagnosis->playbooks.value(u"noted"_s).value(0).name, u"touch-then-restart"_s);
    QCOMPARE(diagnosis->playbookIssues.size(), 1);
    QVERIFY2(diagnosis->playbookIssues.first().toString().contains(u"broken.yml:2:"_s),
             qPrintable(diagnosis->playbookIssues.first().toString()));

    const HealReport report = heal(r, {u"noted"_s});
    QVERIFY(QFile::exists(serviceDir(u"h1"_s, u"noted"_s) + u"/healed-by-playbook"_s));
    QCOMPARE(m_orchestrator->status(r, {u"noted"_s}).value(u"noted"_s).state, u"running"_s);
    auto playbooks = m_orchestrator->playbooks();
    QVERIFY(playbooks);
    QVERIFY(std::any_of(playbooks->cbegin(), playbooks->cend(), [](const PlaybookInfo &p) {
        return p.playbook.name == u"touch-then-restart"_s && p.stats.worked == 1;
    }));
}

void TestHeal::failedSystemdUnitIsResetBeforeItsRestart()
{
    // A recording `systemctl` first in h4's PATH; the service is managed through its unit.
    const QString hostDir = m_hosts.dir() + u"/h4"_s;
    QFile::remove(hostDir + u"/bin/systemctl"_s);
    QFile::remove(hostDir + u"/systemctl.log"_s);
    QDir(hostDir + u"/systemd-state"_s).removeRecursively();
    QVERIFY(
        QFile::copy(qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/tests/hosts/fake-systemctl"_s,
                    hostDir + u"/bin/systemctl"_s));
    m_temp->write(u"unitized/service.yml"_s,
                  "name: unitized\ntype: native\nstart: systemctl start unitized-app.service\n"
                  "stop: systemctl stop unitized-app.service\n"
                  "status: systemctl is-active --quiet unitized-app.service && echo running || "
                  "echo stopped\n");
    const Registry r = registry("  unitized:\n    current_host: h4\n    deployment_type: native\n"
                                "    service_file: /unitized/service.yml\n");
    QVERIFY(deploy(r, {u"unitized"_s}));
    // The unit crashes until systemd gives up on it: inactive and failed.
    QVERIFY(QFile::remove(hostDir + u"/systemd-state/unitized-app.service.active"_s));
    QFile failed(hostDir + u"/systemd-state/unitized-app.service.failed"_s);
    QVERIFY(failed.open(QIODevice::WriteOnly));
    failed.close();

    const HealReport report = heal(r, {u"unitized"_s});
    QVERIFY(report.diagnosis.services.value(u"unitized"_s).problem(Fingerprint::ProcessDead));
    QCOMPARE(m_orchestrator->status(r, {u"unitized"_s}).value(u"unitized"_s).state, u"running"_s);
    QFile log(hostDir + u"/systemctl.log"_s);
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QStringList calls = QString::fromUtf8(log.readAll()).split(u'\n', Qt::SkipEmptyParts);
    const qsizetype reset = calls.indexOf(u"reset-failed unitized-app.service"_s);
    QVERIFY2(reset > 0, qPrintable(calls.join(u'\n')));
    // Reset first, then the restart's own stop and start (status checks aside).
    QVERIFY(calls.indexOf(u"start unitized-app.service"_s, reset) > reset);
    QCOMPARE(calls.count(u"start unitized-app.service"_s), 2);
    QVERIFY(m_orchestrator->stop(r, u"unitized"_s, u"test"_s));
    QFile::remove(hostDir + u"/bin/systemctl"_s);
}

void TestHeal::watchdogHealsOnItsThreadWithoutBlocking()
{
    const Registry r = registry(webService("watched", "h5", 19205));
    QVERIFY(deploy(r, {u"watched"_s}));
    OrchestratorSettings settings = m_orchestrator->settings();
    HealLoop loop(settings, r);
    loop.setIntervalOverride(1);
    QList<HealEvent> events;
    int passes = 0;
    connect(&loop, &HealLoop::event, this, [&](const HealEvent &e) { events.append(e); });
    connect(&loop, &HealLoop::passFinished, this, [&](int, int, qint64) { ++passes; });
    // The thread that owns the loop keeps turning while passes run and restarts happen.
    int ticks = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this, [&] { ++ticks; });
    ticker.start(20);
    loop.start();
    QTRY_VERIFY_WITH_TIMEOUT(passes >= 1, 15000);
    ::kill(pid_t(-m_orchestrator->status(r, {u"watched"_s}).value(u"watched"_s).pid), SIGKILL);
    QElapsedTimer clock;
    clock.start();
    const int ticksBefore = ticks;
    QTRY_VERIFY_WITH_TIMEOUT(hasEvent(events, HealEvent::Kind::Recovered, Fingerprint::ProcessDead),
                             15000);
    // Down, the restart, back: all within a few intervals, the event loop never stalled.
    QVERIFY(hasEvent(events, HealEvent::Kind::Down, Fingerprint::ProcessDead));
    QVERIFY2(ticks - ticksBefore >= clock.elapsed() / 20 / 2,
             qPrintable(u"%1 ticks in %2 ms"_s.arg(ticks - ticksBefore).arg(clock.elapsed())));
    loop.pause();
    const int pausedAt = passes;
    QTest::qWait(2500);
    QVERIFY(passes <= pausedAt + 1); // at most the pass that was running
    QCOMPARE(m_orchestrator->status(r, {u"watched"_s}).value(u"watched"_s).health, u"healthy"_s);
}

void TestHeal::launchdThrottleIsRespectedOnMacs()
{
    // h3 says it is a Mac (a stand-in `uname` first in its PATH); a native service there is a
    // launchd job, which launchd will not start again within 10 s of its last start.
    const QString hostDir = m_hosts.dir() + u"/h3"_s;
    QFile::remove(hostDir + u"/bin/uname"_s);
    QVERIFY(QFile::copy(qEnvironmentVariable("PORTOSER_SOURCE_DIR")
                            + u"/tests/hosts/fake-uname-darwin"_s,
                        hostDir + u"/bin/uname"_s));
    m_temp->write(u"agent/service.yml"_s,
                  "name: agent\ntype: native\n"
                  "start: nohup sleep 600 >/dev/null 2>&1 & echo $! > agent.pid\n"
                  "stop: kill $(cat agent.pid)\n"
                  "status: kill -0 $(cat agent.pid) 2>/dev/null && echo running || echo stopped\n");
    const Registry r = registry("  agent:\n    current_host: h3\n    deployment_type: native\n"
                                "    service_file: /agent/service.yml\n");
    QVERIFY(deploy(r, {u"agent"_s}));
    const QString dir = serviceDir(u"h3"_s, u"agent"_s);
    QFile pidFile(dir + u"/current/agent.pid"_s);
    QVERIFY(pidFile.open(QIODevice::ReadOnly));
    QCOMPARE(::kill(pid_t(pidFile.readAll().trimmed().toLongLong()), SIGKILL), 0);

    const auto restartOutcome = [](const HealReport &report) -> QString {
        for (const HealAction &a : report.actions) {
            if (a.step == u"restart"_s)
                return a.outcome + u": "_s + a.detail;
        }
        return QString();
    };
    QTRY_VERIFY(m_orchestrator->status(r, {u"agent"_s}).value(u"agent"_s).state == u"dead"_s);
    const QString held = restartOutcome(heal(r, {u"agent"_s}));
    QVERIFY2(held.startsWith(u"waiting: launchd throttles"_s), qPrintable(held));
    QVERIFY(healerRecords(u"agent"_s).isEmpty());
    // Once the interval has passed (the start moved 20 s into the past), it is restarted.
    QFile started(dir + u"/run/started"_s);
    QVERIFY(started.open(QIODevice::WriteOnly));
    started.write(QByteArray::number(QDateTime::currentSecsSinceEpoch() - 20) + '\n');
    started.close();
    const QString restarted = restartOutcome(heal(r, {u"agent"_s}));
    QVERIFY2(restarted.startsWith(u"done"_s), qPrintable(restarted));
    QVERIFY(m_orchestrator->stop(r, u"agent"_s, u"test"_s));
    QFile::remove(hostDir + u"/bin/uname"_s);
}

void TestHeal::healerRestartsWhatIsDeployedNotTheEdit()
{
    m_temp->write(u"src/pending/index.html"_s, "v1\n");
    const QByteArray entry =
        "  pending:\n    current_host: h2\n    deployment_type: process\n"
        "    source: src/pending\n    command: sleep 600\n    stop_timeout: 2\n";
    const Registry r = registry(entry);
    QVERIFY(deploy(r, {u"pending"_s}));
    const QString deployed = m_orchestrator->status(r, {u"pending"_s}).value(u"pending"_s).release;
    QVERIFY(!deployed.isEmpty());
    // The source is edited but not deployed; then the service dies.
    m_temp->write(u"src/pending/index.html"_s, "v2, not reviewed\n");
    const Registry edited = registry(entry);
    ::kill(pid_t(-m_orchestrator->status(edited, {u"pending"_s}).value(u"pending"_s).pid), SIGKILL);
    QTRY_COMPARE(m_orchestrator->status(edited, {u"pending"_s}).value(u"pending"_s).state,
                 u"dead"_s);
    const HealReport report = heal(edited, {u"pending"_s});
    QVERIFY(std::any_of(report.actions.cbegin(), report.actions.cend(), [](const HealAction &a) {
        return a.step == u"restart"_s && a.outcome == u"done"_s;
    }));
    // It runs again what was deployed: the edit is the operator's to roll out.
    const ServiceState now = m_orchestrator->status(edited, {u"pending"_s}).value(u"pending"_s);
    QCOMPARE(now.state, u"running"_s);
    QCOMPARE(now.release, deployed);
    const auto records = healerRecords(u"pending"_s);
    QCOMPARE(records.size(), 1);
    QCOMPARE(records.first().releaseId, deployed);
    QCOMPARE(
        m_hosts
            .ssh(u"h2"_s, u"cat "_s + serviceDir(u"h2"_s, u"pending"_s) + u"/current/index.html"_s)
            .value_or(QByteArray()),
        QByteArray("v1\n"));
    auto plan = m_orchestrator->planDeploy(edited, {u"pending"_s});
    QVERIFY(plan);
    QVERIFY(plan->services.first().action == PlanAction::Update); // still to deploy
}

QTEST_GUILESS_MAIN(TestHeal)
#include "TestHeal.moc"
