// SPDX-License-Identifier: Apache-2.0
// Docker services on a real Docker Engine: a dockerd started inside namespace test hosts (compose
// v1 on one, the `docker compose` plugin interface on another, none on a third), BusyBox images
// made with `docker import`. One operator's day on the v1 host: deploy beside a process service,
// kill → healed, the tag moves under a running release, an update to a broken image reverts to
// the exact previous image, a rollback after the tag moved, pruning; then what observe and the
// healer say about containers (exit code, OOM kill, restart loop, HEALTHCHECK, a dead daemon).
#include "core/Orchestrator.h"
#include "core/heal/Diagnosis.h"
#include "core/heal/Healer.h"
#include "tests/support/TempRegistry.h"
#include "tests/support/TestHosts.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace Portoser;
using namespace Portoser::Test;
using namespace Qt::Literals::StringLiterals;

class TestDocker : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void operatorsDayOnAComposeV1Host();
    void composePluginHost();
    void hostWithoutComposeSaysSo();
    void containerStatesAsObserveSeesThem();
    void deadDaemonIsReportedThenHealed();
    void twoServicesShareAComposeFileOnTheHost();
    void hungDaemonDoesNotHoldTheStatus();

private:
    Registry registry(const QByteArray &services);
    QList<DeploymentRecord> deploy(const Registry &r, const QStringList &services);
    /** Imports a BusyBox image `ref` on `host` whose command is `sh -c script`; its image ID. */
    QString image(const QString &host, const QString &ref, const QString &script);
    QString fetch(const QString &host, int port) const;
    /** `docker ...` on `host` through its own socket; stdout. */
    QString docker(const QString &host, const QString &args) const;
    void writeCompose(const QString &service, const QByteArray &compose);
    ServiceState stateOf(const Registry &r, const QString &service);
    HealReport heal(const Registry &r, const QStringList &services);

    TestHosts m_hosts;
    std::unique_ptr<TempRegistry> m_temp;
    std::unique_ptr<Orchestrator> m_orchestrator;
};

namespace {

/** A docker service whose compose file ships in its release (src/<name>/compose.yml). */
QByteArray dockerService(const char *name, const char *host, int port, const char *extra = "")
{
    return QByteArray("  ") + name + ":\n    current_host: " + host
           + "\n    deployment_type: docker\n    source: src/" + name
           + "\n    docker_compose: compose.yml\n    service_name: web\n    port: "
           + QByteArray::number(port) + "\n    stop_timeout: 3\n"
           + "    health: {type: http, path: /, interval: 1, retries: 8}\n" + extra;
}

/** BusyBox httpd on `port` answering `text`, after saying so on stdout. */
QString httpd(int port, const QString &text)
{
    return u"echo serving %2; echo %2 > /www/index.html; exec httpd -f -p %1 -h /www"_s.arg(port)
        .arg(text);
}

QByteArray compose(const QByteArray &image, const QByteArray &more = {})
{
    return "version: \"2.4\"\nservices:\n  web:\n    image: " + image
           + "\n    network_mode: host\n    init: true\n    volumes:\n      - data:/data\n" + more
           + "volumes:\n  data:\n";
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

void TestDocker::initTestCase()
{
    m_hosts = TestHosts::fromEnvironment();
    if (m_hosts.size() < 5)
        QSKIP("needs root and five namespace test hosts (network namespaces, sshd)");
    for (const char *tool : {"dockerd", "docker-compose", "busybox"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty())
            QSKIP(qPrintable(u"needs %1 (scripts/setup installs docker.io, docker-compose and "
                             "busybox-static)"_s.arg(QString::fromLatin1(tool))));
    }
    QVERIFY(m_hosts.tool({u"docker-up"_s, u"h4"_s, u"v1"_s}));
    QVERIFY(m_hosts.tool({u"docker-up"_s, u"h5"_s, u"v2"_s}));
    QVERIFY(m_hosts.tool({u"docker-up"_s, u"h3"_s, u"none"_s}));
    m_temp = std::make_unique<TempRegistry>();
    qputenv("PORTOSER_HOME", m_temp->path(u"home"_s).toUtf8());
    OrchestratorSettings settings;
    settings.databasePath = m_temp->path(u"portoser.db"_s);
    m_orchestrator = std::make_unique<Orchestrator>(Interpolator::processEnvironment(), settings);
}

void TestDocker::cleanupTestCase()
{
    if (m_hosts.size() < 5)
        return;
    for (const QString &h : {u"h3"_s, u"h4"_s, u"h5"_s})
        m_hosts.tool({u"docker-down"_s, h});
}

Registry TestDocker::registry(const QByteArray &services)
{
    m_temp->writeRegistry(m_hosts.registryFragment() + "services:\n" + services);
    const CheckedRegistry checked = m_orchestrator->checkRegistry(m_temp->path());
    if (!checked.isValid())
        qWarning("%s", qPrintable(describe(checked.issues)));
    return checked.registry;
}

QList<DeploymentRecord> TestDocker::deploy(const Registry &r, const QStringList &services)
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

QString TestDocker::image(const QString &host, const QString &ref, const QString &script)
{
    QProcess tool;
    tool.start(qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/tests/hosts/portoser-test-hosts"_s,
               {u"docker-image"_s, host, ref, script});
    tool.waitForFinished(60000);
    return QString::fromUtf8(tool.readAllStandardOutput()).trimmed();
}

QString TestDocker::fetch(const QString &host, int port) const
{
    QProcess curl;
    curl.start(u"curl"_s, {u"-fsS"_s, u"-m"_s, u"5"_s,
                           u"http://%1:%2/"_s.arg(m_hosts.address(host)).arg(port)});
    curl.waitForFinished(10000);
    return QString::fromUtf8(curl.readAllStandardOutput()).trimmed();
}

QString TestDocker::docker(const QString &host, const QString &args) const
{
    QProcess cli;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"DOCKER_HOST"_s, u"unix://%1/%2/docker.sock"_s.arg(m_hosts.dir(), host));
    cli.setProcessEnvironment(env);
    cli.startCommand(u"/usr/bin/docker "_s + args);
    cli.waitForFinished(30000);
    return QString::fromUtf8(cli.readAllStandardOutput()).trimmed();
}

void TestDocker::writeCompose(const QString &service, const QByteArray &content)
{
    m_temp->write(u"src/%1/compose.yml"_s.arg(service), content);
}

ServiceState TestDocker::stateOf(const Registry &r, const QString &service)
{
    return m_orchestrator->status(r, {service}).value(service);
}

HealReport TestDocker::heal(const Registry &r, const QStringList &services)
{
    HealOptions options;
    options.services = services;
    options.backoffBaseMs = 0;
    auto report = m_orchestrator->heal(r, options);
    return report ? *report : HealReport{};
}

void TestDocker::operatorsDayOnAComposeV1Host()
{
    // Deploy: a docker service and a process service on the same host, in one deploy.
    const QString one = image(u"h4"_s, u"app:v1"_s, httpd(18081, u"one"_s));
    QVERIFY2(one.startsWith(u"sha256:"_s), qPrintable(one));
    writeCompose(u"web"_s, compose("app:v1"));
    m_temp->write(u"src/side/index.html"_s, "side\n");
    const QByteArray side = "  side:\n    current_host: h4\n    deployment_type: process\n"
                            "    source: src/side\n    command: busybox httpd -f -p 18082 -h .\n"
                            "    port: 18082\n    health: {type: http, path: /index.html, "
                            "interval: 1, retries: 8}\n";
    Registry r = registry(dockerService("web", "h4", 18081) + side);
    auto records = deploy(r, {u"web"_s, u"side"_s});
    QCOMPARE(records.size(), 2);
    for (const DeploymentRecord &rec : std::as_const(records))
        QVERIFY2(rec.outcome == Outcome::Succeeded, qPrintable(rec.service + u": "_s + rec.reason));
    QCOMPARE(fetch(u"h4"_s, 18081), u"one"_s);
    QCOMPARE(fetch(u"h4"_s, 18082), u"side"_s);
    const DeploymentRecord first = *recordOf(records, u"web"_s);
    QVERIFY2(first.steps.first().output.contains(u"compose v1"_s),
             qPrintable(first.steps.first().output));
    // The release's record names the exact image it runs.
    QCOMPARE(first.config.value(u"images"_s).toObject().value(u"web"_s).toString(), one);
    ServiceState state = stateOf(r, u"web"_s);
    QCOMPARE(state.state, u"running"_s);
    QCOMPARE(state.containerState, u"running"_s);
    // Its logs are its container's.
    auto logs = m_orchestrator->logs(r, u"web"_s, 20, false, {});
    QVERIFY2(logs && logs->contains("serving one"),
             logs ? logs->constData() : qPrintable(logs.error().message));

    // docker kill → observe says how it ended → the healer starts it again.
    docker(u"h4"_s, u"kill portoser-web_web_1"_s);
    state = stateOf(r, u"web"_s);
    QCOMPARE(state.state, u"dead"_s);
    QCOMPARE(state.containerState, u"exited"_s);
    QCOMPARE(state.exitStatus.value_or(-1), 137);
    HealReport healed = heal(r, {u"web"_s});
    QVERIFY(!healed.actions.isEmpty());
    QCOMPARE(healed.actions.first().outcome, u"done"_s);
    QCOMPARE(fetch(u"h4"_s, 18081), u"one"_s);

    // The tag moves under the running release: a restart still runs the release's own image.
    const QString two = image(u"h4"_s, u"app:v1"_s, httpd(18081, u"two"_s));
    QVERIFY(two != one);
    auto restarted = m_orchestrator->restart(r, PlanRequest{PlanIntent::Restart, {u"web"_s}},
                                             DeployOptions{}, {});
    QVERIFY(restarted && !restarted->isEmpty());
    QCOMPARE(toString(restarted->first().outcome), toString(Outcome::Succeeded));
    QCOMPARE(fetch(u"h4"_s, 18081), u"one"_s);

    // An update to a tag that points at a broken image fails its gate and says why; the
    // previous release's exact image serves again.
    image(u"h4"_s, u"app:v2"_s, u"echo v2 cannot start >&2; exit 4"_s);
    writeCompose(u"web"_s, compose("app:v2"));
    r = registry(dockerService("web", "h4", 18081) + side);
    records = deploy(r, {u"web"_s});
    QCOMPARE(records.size(), 1);
    QCOMPARE(toString(records.first().outcome), toString(Outcome::RolledBack));
    QVERIFY2(records.first().reason.contains(u"exited with status 4"_s)
                 && records.first().reason.contains(u"v2 cannot start"_s),
             qPrintable(records.first().reason));
    QCOMPARE(fetch(u"h4"_s, 18081), u"one"_s);
    QCOMPARE(docker(u"h4"_s, u"inspect --format {{.Image}} portoser-web_web_1"_s), one);

    // A new release picks up what app:v1 is now ("two"); a rollback to the first record runs
    // "one" again although no tag names it any more.
    writeCompose(u"web"_s, compose("app:v1", "    environment:\n      - EDITION=2\n"));
    r = registry(dockerService("web", "h4", 18081) + side);
    records = deploy(r, {u"web"_s});
    QCOMPARE(toString(records.first().outcome), toString(Outcome::Succeeded));
    QCOMPARE(fetch(u"h4"_s, 18081), u"two"_s);
    auto back = m_orchestrator->rollback(r, first.id, DeployOptions{}, {});
    QVERIFY2(back, back ? "" : qPrintable(back.error().message));
    QCOMPARE(toString(back->outcome), toString(Outcome::Succeeded));
    QCOMPARE(fetch(u"h4"_s, 18081), u"one"_s);
    QCOMPARE(docker(u"h4"_s, u"inspect --format {{.Image}} portoser-web_web_1"_s), one);

    // Pruning: releases beyond the kept ones go with their pin tags; the images kept releases
    // need stay. The volume is never deleted.
    QStringList releases;
    for (int i = 0; i < 6; ++i) {
        writeCompose(u"web"_s, compose("app:v1", "    environment:\n      - EDITION="
                                                     + QByteArray::number(10 + i) + "\n"));
        r = registry(dockerService("web", "h4", 18081) + side);
        records = deploy(r, {u"web"_s});
        QCOMPARE(toString(records.first().outcome), toString(Outcome::Succeeded));
        releases.append(records.first().releaseId);
    }
    const QString pins = docker(u"h4"_s, u"images --format {{.Tag}} portoser/portoser-web/web"_s);
    const QString dir = m_hosts.dir() + u"/h4/base/.portoser/web/releases/"_s;
    QVERIFY2(!QFile::exists(dir + first.releaseId), "the first release was kept");
    QVERIFY2(!pins.contains(first.releaseId), qPrintable(pins));
    QVERIFY2(pins.contains(releases.last()), qPrintable(pins));
    // "one" was needed only by pruned releases: it may go. "two" runs: it stays.
    QVERIFY(docker(u"h4"_s, u"image inspect --format {{.Id}} "_s + one).isEmpty());
    QCOMPARE(docker(u"h4"_s, u"image inspect --format {{.Id}} "_s + two), two);
    QVERIFY(docker(u"h4"_s, u"volume ls -q"_s).contains(u"portoser-web_data"_s));
    QCOMPARE(fetch(u"h4"_s, 18082), u"side"_s); // its neighbour was never touched
}

void TestDocker::composePluginHost()
{
    const QString v1 = image(u"h5"_s, u"plug:v1"_s, httpd(18083, u"plugged"_s));
    QVERIFY(v1.startsWith(u"sha256:"_s));
    m_temp->write(u"src/plug/compose.yml"_s, compose("plug:v1"));
    Registry r = registry(dockerService("plug", "h5", 18083));
    auto records = deploy(r, {u"plug"_s});
    QCOMPARE(records.size(), 1);
    QVERIFY2(records.first().outcome == Outcome::Succeeded, qPrintable(records.first().reason));
    QVERIFY2(records.first().steps.first().output.contains(u"compose v2"_s),
             qPrintable(records.first().steps.first().output));
    QCOMPARE(fetch(u"h5"_s, 18083), u"plugged"_s);
    auto stopped = m_orchestrator->stop(r, u"plug"_s, u"test"_s);
    QVERIFY(stopped);
    QCOMPARE(stateOf(r, u"plug"_s).state, u"stopped"_s);
    QVERIFY(docker(u"h5"_s, u"volume ls -q"_s).contains(u"portoser-plug_data"_s));
    auto started = m_orchestrator->restart(r, PlanRequest{PlanIntent::Start, {u"plug"_s}},
                                           DeployOptions{}, {});
    QVERIFY(started && !started->isEmpty());
    QCOMPARE(toString(started->first().outcome), toString(Outcome::Succeeded));
    QCOMPARE(fetch(u"h5"_s, 18083), u"plugged"_s);

    // A move warns that the named volume stays behind (and moves nothing else).
    Registry moved = registry(dockerService("plug", "h4", 18083));
    auto plan = m_orchestrator->planDeploy(moved, {u"plug"_s});
    QVERIFY(plan);
    QVERIFY2(plan->notes.join(u'\n').contains(u"docker volume(s) data stay on h5"_s),
             qPrintable(plan->notes.join(u'\n')));
}

void TestDocker::hostWithoutComposeSaysSo()
{
    image(u"h3"_s, u"app:v1"_s, httpd(18084, u"never"_s));
    m_temp->write(u"src/lone/compose.yml"_s, compose("app:v1"));
    Registry r = registry(dockerService("lone", "h3", 18084));
    const auto records = deploy(r, {u"lone"_s});
    QCOMPARE(records.size(), 1);
    QCOMPARE(toString(records.first().outcome), toString(Outcome::Failed));
    QVERIFY2(records.first().reason.contains(u"neither the docker compose plugin (v2) nor "
                                             "docker-compose (v1) is installed"_s)
                 && records.first().reason.contains(u"h3"_s),
             qPrintable(records.first().reason));
}

void TestDocker::containerStatesAsObserveSeesThem()
{
    // Out of memory: the kernel kills the container; observe and the diagnosis say so.
    image(u"h5"_s, u"hog:1"_s,
          u"echo starting; sleep 8; x=$(head -c 200000000 /dev/zero | tr '\\0' a); sleep 100"_s);
    image(u"h5"_s, u"sick:1"_s, httpd(18086, u"sick"_s));
    image(u"h5"_s, u"loop:1"_s, u"echo looping; exit 2"_s);
    m_temp->write(u"src/hog/compose.yml"_s,
                  "services:\n  web:\n    image: hog:1\n    network_mode: host\n"
                  "    mem_limit: 16m\n");
    m_temp->write(u"src/sick/compose.yml"_s,
                  "services:\n  web:\n    image: sick:1\n    network_mode: host\n"
                  "    healthcheck:\n      test: [\"CMD\", \"sh\", \"-c\", \"echo db unreachable; "
                  "exit 1\"]\n      interval: 1s\n      retries: 1\n");
    m_temp->write(u"src/loop/compose.yml"_s,
                  "services:\n  web:\n    image: loop:1\n    network_mode: host\n"
                  "    restart: always\n");
    const QByteArray running; // no port, no check: running is its gate
    Registry r = registry(
        dockerService("sick", "h5", 18086)
        + QByteArray(
            "  hog:\n    current_host: h5\n    deployment_type: docker\n"
            "    source: src/hog\n    docker_compose: compose.yml\n    service_name: web\n")
        + running
        + "  loop:\n    current_host: h5\n    deployment_type: docker\n    source: src/loop\n"
          "    docker_compose: compose.yml\n    service_name: web\n"
        + running);
    const auto records = deploy(r, {u"sick"_s, u"hog"_s});
    QCOMPARE(records.size(), 2);
    for (const DeploymentRecord &rec : records)
        QVERIFY2(rec.outcome == Outcome::Succeeded, qPrintable(rec.service + u": "_s + rec.reason));
    const auto loop = deploy(r, {u"loop"_s});
    QCOMPARE(loop.size(), 1);
    QCOMPARE(toString(loop.first().outcome),
             toString(Outcome::Failed)); // never stays up: the gate says so
    QVERIFY2(loop.first().reason.contains(u"status 2"_s)
                 || loop.first().reason.contains(u"keeps restarting"_s),
             qPrintable(loop.first().reason));

    QElapsedTimer clock;
    clock.start();
    ServiceState hog, sick;
    while (clock.elapsed() < 30000) {
        hog = stateOf(r, u"hog"_s);
        sick = stateOf(r, u"sick"_s);
        if (hog.oomKilled && sick.health == u"unhealthy"_s)
            break;
        QTest::qWait(500);
    }
    QCOMPARE(hog.state, u"dead"_s);
    QVERIFY(hog.oomKilled);
    QCOMPARE(hog.containerState, u"exited"_s);
    QCOMPARE(sick.state, u"running"_s);
    QCOMPARE(sick.health, u"unhealthy"_s);
    QVERIFY2(sick.healthDetail.contains(u"HEALTHCHECK"_s)
                 && sick.healthDetail.contains(u"db unreachable"_s),
             qPrintable(sick.healthDetail));
    auto diagnosis = m_orchestrator->diagnose(r, {u"hog"_s});
    QVERIFY(diagnosis);
    const QString said = diagnosis->diagnosis.services.value(u"hog"_s).problems.value(0).summary;
    QVERIFY2(said.contains(u"lack of memory"_s), qPrintable(said));
}

void TestDocker::deadDaemonIsReportedThenHealed()
{
    const QString up = image(u"h4"_s, u"d:1"_s, httpd(18087, u"back"_s));
    QVERIFY(up.startsWith(u"sha256:"_s));
    m_temp->write(u"src/dd/compose.yml"_s, compose("d:1"));
    Registry r = registry(dockerService("dd", "h4", 18087));
    auto records = deploy(r, {u"dd"_s});
    QCOMPARE(toString(records.first().outcome), toString(Outcome::Succeeded));
    QVERIFY(m_hosts.tool({u"docker-down"_s, u"h4"_s}));
    HealReport report = heal(r, {u"dd"_s});
    QVERIFY(!report.actions.isEmpty());
    QCOMPARE(report.actions.first().fingerprint, u"docker_down"_s);
    QCOMPARE(report.actions.first().outcome, u"reported"_s);
    // The daemon is back (its containers did not restart by themselves): the healer starts it.
    QVERIFY(m_hosts.tool({u"docker-up"_s, u"h4"_s, u"v1"_s}));
    report = heal(r, {u"dd"_s});
    QVERIFY(!report.actions.isEmpty());
    QCOMPARE(report.actions.first().outcome, u"done"_s);
    QCOMPARE(fetch(u"h4"_s, 18087), u"back"_s);
}

void TestDocker::twoServicesShareAComposeFileOnTheHost()
{
    // Upstream's layout: one compose file on the host (not shipped in a release), one Portoser
    // service per compose service, both in one project.
    image(u"h5"_s, u"front:1"_s, httpd(18088, u"front"_s));
    image(u"h5"_s, u"back:1"_s, httpd(18089, u"back"_s));
    const QString dir = m_hosts.dir() + u"/h5/base/fr"_s;
    QVERIFY(QDir().mkpath(dir));
    QFile file(dir + u"/docker-compose.yml"_s);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("services:\n  frontend:\n    image: front:1\n    network_mode: host\n"
               "  backend:\n    image: back:1\n    network_mode: host\n"
               "    volumes: [\"db:/db\"]\nvolumes:\n  db:\n");
    file.close();
    const Registry r = registry(
        "  fr-frontend:\n    current_host: h5\n    deployment_type: docker\n"
        "    docker_compose: /fr/docker-compose.yml\n    service_name: frontend\n    port: 18088\n"
        "    health: {type: http, path: /, interval: 1, retries: 8}\n"
        "  fr-backend:\n    current_host: h5\n    deployment_type: docker\n"
        "    docker_compose: /fr/docker-compose.yml\n    service_name: backend\n    port: 18089\n"
        "    health: {type: http, path: /, interval: 1, retries: 8}\n");
    const auto records = deploy(r, {u"fr-frontend"_s, u"fr-backend"_s});
    QCOMPARE(records.size(), 2);
    for (const DeploymentRecord &rec : records)
        QVERIFY2(rec.succeeded(), qPrintable(rec.service + u": "_s + rec.reason));
    QCOMPARE(fetch(u"h5"_s, 18088), u"front"_s);
    QCOMPARE(fetch(u"h5"_s, 18089), u"back"_s);
    // A one-off container (what `compose run` without --rm leaves, with compose's labels) is
    // not the service, which still runs.
    const QString oneOff =
        docker(u"h5"_s, u"create --label com.docker.compose.project=portoser-fr --label "
                        "com.docker.compose.service=frontend --label "
                        "com.docker.compose.oneoff=True front:1"_s);
    QVERIFY(!oneOff.isEmpty());
    QCOMPARE(stateOf(r, u"fr-frontend"_s).state, u"running"_s);
    // Stopping one stops only its container, and keeps it and its volume (no down, rm or -v).
    QVERIFY(m_orchestrator->stop(r, u"fr-backend"_s, u"test"_s));
    QCOMPARE(stateOf(r, u"fr-backend"_s).state, u"stopped"_s);
    QCOMPARE(stateOf(r, u"fr-frontend"_s).state, u"running"_s);
    QCOMPARE(fetch(u"h5"_s, 18088), u"front"_s);
    QVERIFY(docker(u"h5"_s, u"ps -a --format {{.Names}}"_s).contains(u"portoser-fr_backend_1"_s));
    QVERIFY(docker(u"h5"_s, u"volume ls -q"_s).contains(u"portoser-fr_db"_s));
}

void TestDocker::hungDaemonDoesNotHoldTheStatus()
{
    // A docker whose daemon never answers: the status pass still ends, and says so.
    const Registry r = registry(dockerService("dd", "h4", 18087));
    const QString bin = m_hosts.dir() + u"/h4/bin/docker"_s;
    QFile::remove(bin);
    QVERIFY(QFile::copy(qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/tests/hosts/hung-docker"_s,
                        bin));
    QElapsedTimer clock;
    clock.start();
    const ServiceState state = stateOf(r, u"dd"_s);
    const qint64 took = clock.elapsed();
    QFile::remove(bin);
    QCOMPARE(state.state, u"dead"_s);
    QVERIFY2(state.dockerError.contains(u"did not answer within 15 s"_s),
             qPrintable(state.dockerError));
    QVERIFY2(took < 45000, qPrintable(QString::number(took)));
    qInfo("a hung docker daemon: the status pass ended after %lld ms", took);
}

QTEST_GUILESS_MAIN(TestDocker)
#include "TestDocker.moc"
