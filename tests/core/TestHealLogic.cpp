// SPDX-License-Identifier: Apache-2.0
// The healer's pure logic: fingerprints from observations, playbook files and their errors,
// playbook choice, and the quoting of operator commands.
#include "core/heal/Diagnosis.h"
#include "core/heal/HealScripts.h"
#include "core/heal/Playbook.h"
#include "core/registry/RegistryLoader.h"
#include "tests/support/TempRegistry.h"

#include <QProcess>
#include <QTest>

using namespace Portoser;
using namespace Portoser::Test;
using namespace Qt::Literals::StringLiterals;

class TestHealLogic : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void deadServiceFingerprints_data();
    void deadServiceFingerprints();
    void portHeldOnlyByAForeignProcess();
    void unreachableHostHidesEverythingElse();
    void dependencyProblemsNameTheDependency();
    void diskFullIsAHostProblem();
    void aWellDependencyOnASickHostIsNoDependencyProblem();
    void evidenceIsTrueOfTheHost();
    void evidenceMasksTheServiceEnvironment();
    void playbookFileErrorsHaveLocations_data();
    void playbookFileErrorsHaveLocations();
    void operatorPlaybookWinsOverBuiltIn();
    void commandParametersStayOneWord();

private:
    Registry m_registry;
    std::unique_ptr<TempRegistry> m_temp;
};

namespace {

HostState hostWith(const ServiceState &service)
{
    HostState h;
    h.host = u"h1"_s;
    h.reachable = true;
    h.diskUsedPct = 40;
    h.services = {service};
    return h;
}

ServiceState serviceState(const QString &name, const QString &state)
{
    ServiceState s;
    s.service = name;
    s.host = u"h1"_s;
    s.state = state;
    s.pid = 4242;
    return s;
}

} // namespace

void TestHealLogic::initTestCase()
{
    m_temp = std::make_unique<TempRegistry>();
    m_temp->writeRegistry(
        "hosts:\n  h1: {ip: 10.0.0.1, path: /srv}\nservices:\n"
        "  db: {current_host: h1, deployment_type: process, command: x, port: 5432}\n"
        "  api: {current_host: h1, deployment_type: process, command: x, port: 8080,"
        " dependencies: [db]}\n");
    const CheckedRegistry checked = RegistryLoader().load(m_temp->path());
    QVERIFY2(checked.isValid(), qPrintable(describe(checked.issues)));
    m_registry = checked.registry;
}

void TestHealLogic::deadServiceFingerprints_data()
{
    QTest::addColumn<int>("recentExits");
    QTest::addColumn<int>("exitStatus");
    QTest::addColumn<bool>("stalePid");
    QTest::addColumn<QString>("fingerprint");
    QTest::addColumn<QString>("mentions");
    QTest::addRow("killed") << 1 << 137 << false << Fingerprint::ProcessDead << u"SIGKILL"_s;
    QTest::addRow("exited") << 2 << 3 << false << Fingerprint::ProcessDead << u"status 3"_s;
    QTest::addRow("crash loop") << 3 << 1 << false << Fingerprint::CrashLoop << u"3 exits"_s;
    QTest::addRow("stale pid") << 0 << -1 << true << Fingerprint::StalePid << u"pid 4242"_s;
}

void TestHealLogic::deadServiceFingerprints()
{
    QFETCH(int, recentExits);
    QFETCH(int, exitStatus);
    QFETCH(bool, stalePid);
    QFETCH(QString, fingerprint);
    QFETCH(QString, mentions);
    ServiceState s = serviceState(u"db"_s, u"dead"_s);
    s.recentExits = recentExits;
    if (exitStatus >= 0)
        s.exitStatus = exitStatus;
    s.stalePid = stalePid;
    const Diagnosis d = Analyzer::analyze(m_registry, {hostWith(s)});
    const ServiceDiagnosis db = d.services.value(u"db"_s);
    QCOMPARE(db.problems.size(), 1);
    QCOMPARE(db.problems.first().fingerprint, fingerprint);
    const QString text = db.problems.first().summary + db.problems.first().evidence.join(u' ');
    QVERIFY2(text.contains(mentions), qPrintable(text));
    QVERIFY(db.score < 50);
}

void TestHealLogic::portHeldOnlyByAForeignProcess()
{
    ServiceState s = serviceState(u"db"_s, u"running"_s);
    s.health = u"unhealthy"_s;
    HostState h = hostWith(s);
    h.listeners.insert(5432, {4250, 4242, u"postgres"_s}); // a child of ours: our group
    ServiceDiagnosis db = Analyzer::analyze(m_registry, {h}).services.value(u"db"_s);
    QVERIFY(db.problem(Fingerprint::HealthFailing));
    QVERIFY(!db.problem(Fingerprint::PortHeld));

    h.listeners.insert(5432, {999, 999, u"nc"_s});
    db = Analyzer::analyze(m_registry, {h}).services.value(u"db"_s);
    QVERIFY(db.problem(Fingerprint::PortHeld));
    QCOMPARE(db.problem(Fingerprint::PortHeld)->holderPid, 999);
    // The held port is worked on before the restart the health failure would call for.
    QCOMPARE(db.problems.first().fingerprint, Fingerprint::PortHeld);

    // A healthy service is not bothered about who else listens.
    h.services.first().health = u"healthy"_s;
    QVERIFY(Analyzer::analyze(m_registry, {h}).services.value(u"db"_s).healthy());
}

void TestHealLogic::unreachableHostHidesEverythingElse()
{
    HostState h = hostWith(serviceState(u"db"_s, u"unreachable"_s));
    h.reachable = false;
    h.error = u"cannot connect"_s;
    Diagnosis d = Analyzer::analyze(m_registry, {h});
    QCOMPARE(d.services.value(u"db"_s).problems.size(), 1);
    QCOMPARE(d.services.value(u"db"_s).problems.first().fingerprint, Fingerprint::HostUnreachable);
    QCOMPARE(d.services.value(u"db"_s).score, 0);
    h.errorCode = ErrorCode::PermissionDenied;
    d = Analyzer::analyze(m_registry, {h});
    QCOMPARE(d.services.value(u"db"_s).problems.first().fingerprint, Fingerprint::SshDenied);
}

void TestHealLogic::dependencyProblemsNameTheDependency()
{
    HostState h = hostWith(serviceState(u"db"_s, u"dead"_s));
    ServiceState api = serviceState(u"api"_s, u"running"_s);
    api.health = u"healthy"_s;
    h.services.append(api);
    const ServiceDiagnosis d = Analyzer::analyze(m_registry, {h}).services.value(u"api"_s);
    QVERIFY(d.problem(Fingerprint::DependencyUnhealthy));
    QVERIFY(d.problem(Fingerprint::DependencyUnhealthy)->evidence.first().startsWith(u"db: "_s));
    QVERIFY(d.score > 50); // a symptom, not its own failure
}

void TestHealLogic::diskFullIsAHostProblem()
{
    ServiceState s = serviceState(u"db"_s, u"running"_s);
    s.health = u"healthy"_s;
    HostState h = hostWith(s);
    h.diskUsedPct = 89;
    QVERIFY(Analyzer::analyze(m_registry, {h}).hosts.value(u"h1"_s).problems.isEmpty());
    h.inodeUsedPct = 97;
    const Diagnosis d = Analyzer::analyze(m_registry, {h});
    QCOMPARE(d.hosts.value(u"h1"_s).problems.first().fingerprint, Fingerprint::DiskFull);
    QVERIFY(d.services.value(u"db"_s).problem(Fingerprint::DiskFull));
}

void TestHealLogic::aWellDependencyOnASickHostIsNoDependencyProblem()
{
    // db runs well on a host whose disk is nearly full: api's dependency is fine.
    ServiceState db = serviceState(u"db"_s, u"running"_s);
    db.health = u"healthy"_s;
    HostState h = hostWith(db);
    h.diskUsedPct = 97;
    ServiceState api = serviceState(u"api"_s, u"running"_s);
    api.health = u"healthy"_s;
    h.services.append(api);
    const Diagnosis d = Analyzer::analyze(m_registry, {h});
    QVERIFY(d.services.value(u"db"_s).problem(Fingerprint::DiskFull));
    QVERIFY(!d.services.value(u"api"_s).problem(Fingerprint::DependencyUnhealthy));
}

void TestHealLogic::evidenceIsTrueOfTheHost()
{
    // Stopped by Portoser after a failed start gate: said so, and no "pid 0 is gone".
    ServiceState reverted = serviceState(u"db"_s, u"dead"_s);
    reverted.pid = 0;
    reverted.exitStatus.reset();
    reverted.stoppedBy = u"release r2 failed its start gate at 2026-12-07T03:00:00Z"_s;
    const Problem p = Analyzer::analyze(m_registry, {hostWith(reverted)})
                          .services.value(u"db"_s)
                          .problems.first();
    QVERIFY2(p.summary.contains(u"Portoser stopped it"_s), qPrintable(p.summary));
    QVERIFY(!p.summary.contains(u"killed"_s));
    const QString evidence = p.evidence.join(u'\n');
    QVERIFY2(!evidence.contains(u"pid 0"_s), qPrintable(evidence));
    // Gone with no pid known: nothing about a pid at all.
    ServiceState gone = serviceState(u"db"_s, u"dead"_s);
    gone.pid = 0;
    const Problem q =
        Analyzer::analyze(m_registry, {hostWith(gone)}).services.value(u"db"_s).problems.first();
    QVERIFY2(!q.evidence.join(u'\n').contains(u"pid 0"_s), qPrintable(q.evidence.join(u'\n')));
}

void TestHealLogic::evidenceMasksTheServiceEnvironment()
{
    Registry registry = m_registry;
    registry.services[u"db"_s].env.insert(u"DB_PASSWORD"_s, u"hunter2-canary"_s);
    ServiceState s = serviceState(u"db"_s, u"dead"_s);
    s.logTail = {u"connecting with password hunter2-canary"_s, u"fatal: auth"_s};
    const Problem p =
        Analyzer::analyze(registry, {hostWith(s)}).services.value(u"db"_s).problems.first();
    const QString text = p.evidence.join(u'\n');
    QVERIFY2(!text.contains(u"hunter2-canary"_s), qPrintable(text));
    QVERIFY(text.contains(u"connecting with password ***"_s));
}

void TestHealLogic::playbookFileErrorsHaveLocations_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("expected");
    QTest::addRow("unknown fingerprint")
        << QByteArray("name: x\nfingerprint: nope\nsteps: [restart]\n") << u"p.yml:2:14: error"_s;
    QTest::addRow("unknown action")
        << QByteArray("name: x\nfingerprint: process_dead\nsteps:\n  - action: reboot\n")
        << u"p.yml:4:5: error: playbook x: unknown action \"reboot\""_s;
    QTest::addRow("unknown placeholder")
        << QByteArray("name: x\nfingerprint: process_dead\nsteps:\n  - command: rm {path}\n")
        << u"unknown placeholder {path}"_s;
    QTest::addRow("unknown key") << QByteArray(
        "name: x\nfingerprint: process_dead\nstep: [restart]\n")
                                 << u"p.yml:3:1: error: playbook: unknown key \"step\""_s;
    QTest::addRow("kill on another action") << QByteArray(
        "name: x\nfingerprint: port_held\nsteps:\n  - {action: restart, kill: true}\n")
                                            << u"kill applies only to free_port"_s;
    QTest::addRow("bad yaml") << QByteArray("name: [x\n") << u"p.yml:2:1: error"_s;
}

void TestHealLogic::playbookFileErrorsHaveLocations()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, expected);
    const auto loaded = PlaybookLoader::parse(yaml, u"p.yml"_s);
    QVERIFY(loaded.playbooks.isEmpty());
    QVERIFY(!loaded.issues.isEmpty());
    QVERIFY2(loaded.issues.first().toString().contains(expected),
             qPrintable(loaded.issues.first().toString()));
}

void TestHealLogic::operatorPlaybookWinsOverBuiltIn()
{
    const auto general = PlaybookLoader::parse(
        "name: general\nfingerprint: process_dead\nsteps: [clear_pid, restart]\n", u"a.yml"_s);
    const auto special =
        PlaybookLoader::parse("name: special\nfingerprint: process_dead\nservices: [api]\nsteps:\n"
                              "  - command: echo {service}\n  - restart\n",
                              u"b.yml"_s);
    QVERIFY(general.issues.isEmpty() && special.issues.isEmpty());
    const QList<Playbook> operators = general.playbooks + special.playbooks;
    const QList<Playbook> builtIn = Playbooks::builtIn();
    QCOMPARE(Playbooks::choose(operators, builtIn, Fingerprint::ProcessDead, u"api"_s)->name,
             u"special"_s);
    QCOMPARE(Playbooks::choose(operators, builtIn, Fingerprint::ProcessDead, u"db"_s)->name,
             u"general"_s);
    QCOMPARE(Playbooks::choose(operators, builtIn, Fingerprint::CrashLoop, u"db"_s)->origin,
             u"built-in"_s);
    for (const QString &fingerprint : Fingerprint::all())
        QVERIFY2(Playbooks::choose({}, builtIn, fingerprint, u"db"_s), qPrintable(fingerprint));
}

void TestHealLogic::commandParametersStayOneWord()
{
    const Host host = *m_registry.host(u"h1"_s);
    const QString hostile = u"x'; touch /tmp/pwned; echo '$(id)`id`"_s;
    const QString script =
        HealScripts::command(host, u"api"_s, u"printf '%s\\n' {release} {port}"_s,
                             {{u"release"_s, hostile}, {u"port"_s, u"8080"_s}});
    QProcess sh;
    sh.start(u"sh"_s, {u"-c"_s, script});
    QVERIFY(sh.waitForFinished(5000));
    QCOMPARE(QString::fromUtf8(sh.readAllStandardOutput()), hostile + u"\n8080\n"_s);
}

QTEST_GUILESS_MAIN(TestHealLogic)
#include "TestHealLogic.moc"
