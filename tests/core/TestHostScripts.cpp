// SPDX-License-Identifier: Apache-2.0
// Every script Portoser sends to a host, generated for each kind of service and option, is valid
// POSIX sh for dash and BusyBox ash (`-n`), and clean under `shellcheck -s sh` at warning level:
// what reaches a Pi, a Debian box or a router is linted like code.
#include "core/deploy/RemoteScripts.h"
#include "core/heal/HealScripts.h"
#include "core/registry/Host.h"
#include "core/registry/Service.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace Portoser;
using namespace Qt::Literals::StringLiterals;

class TestHostScripts : public QObject
{
    Q_OBJECT

private slots:
    void scripts_data();
    void scripts();
};

namespace {

Host host()
{
    Host h;
    h.name = u"pi1"_s;
    h.ip = u"10.0.0.2"_s;
    h.path = u"~/services dir"_s; // a space and the home shorthand: quoting must hold
    return h;
}

Service service(DeploymentType type)
{
    Service s;
    s.name = u"api"_s;
    s.currentHost = u"pi1"_s;
    s.type = type;
    s.command = u"python3 app.py --name 'it''s' \"$HOME\""_s;
    s.port = 8080;
    s.dockerCompose = u"stack/docker-compose.yml"_s;
    s.serviceName = u"api"_s;
    if (type == DeploymentType::Native) {
        ServiceFile f;
        f.start = u"systemctl start api"_s;
        f.stop = u"systemctl stop api"_s;
        f.status = u"systemctl is-active api"_s;
        s.serviceFile = f;
    }
    return s;
}

/** Runs `program args` with `script` on stdin; its combined output, empty when it passed. */
QString check(const QString &program, const QStringList &args, const QString &script)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    p.write(script.toUtf8());
    p.closeWriteChannel();
    if (!p.waitForFinished(60000))
        return program + u" did not finish"_s;
    return p.exitCode() == 0 ? QString() : QString::fromUtf8(p.readAll());
}

} // namespace

void TestHostScripts::scripts_data()
{
    QTest::addColumn<QString>("script");
    const Host h = host();
    for (const auto &[name, type] :
         {std::pair{"process", DeploymentType::Process}, std::pair{"docker", DeploymentType::Docker},
          std::pair{"native", DeploymentType::Native}, std::pair{"local", DeploymentType::Local}}) {
        const Service s = service(type);
        const Runtime runtime = Runtime::forService(s);
        for (const bool rerun : {false, true}) {
            Activation a;
            a.releaseId = u"4f2e9a01"_s;
            a.uploadDir = rerun ? QString() : u"/home/pi/services dir/.portoser/api/.tmp-x"_s;
            a.envFileContent = u"PORT='8080'\nTOKEN='a'\"'\"'b'\n"_s;
            a.keepEnv = rerun;
            a.envNeedsSecrets = rerun;
            a.command = s.command;
            a.workingDir = u"sub dir"_s;
            a.health = HealthProbe::forService(s);
            a.lockHolder = u"coord=laptop pid=42"_s;
            a.runtime = runtime;
            QTest::addRow("activate %s%s", name, rerun ? " rerun" : "")
                << RemoteScripts::activate(h, s.name, a);
        }
        QTest::addRow("stop %s", name) << RemoteScripts::stop(h, s.name, runtime, 10);
            RemoteScripts::StatusQuery query;
        query.service = s.name;
        query.probe = HealthProbe::forService(s);
        query.runtime = runtime;
        query.port = 8080;
            RemoteScripts::ObserveScope scope;
        scope.hostFacts = true;
        scope.docker = type == DeploymentType::Docker;
        scope.allPortHolders = true;
        QTest::addRow("observe %s", name) << RemoteScripts::observe(h, {query}, scope);
    }
    QTest::addRow("prepare") << RemoteScripts::prepare(h, u"api"_s, u"4f2e9a01"_s,
                                                       u"coord=laptop pid=42"_s, 900, true, true);
    QTest::addRow("unlock") << RemoteScripts::unlock(h, u"api"_s, u"coord=laptop pid=42"_s);
    QTest::addRow("logs") << RemoteScripts::logTail(h, u"api"_s, 100, true);
    QTest::addRow("service file") << RemoteScripts::readServiceFile(h, u"api/service.yml"_s);
    QTest::addRow("install files") << RemoteScripts::installFiles(
        h, u"api"_s, u"tls"_s, {{u"server.key"_s, "-----BEGIN KEY-----\n", true}});
    QTest::addRow("trust ca") << RemoteScripts::trustCa("-----BEGIN CERTIFICATE-----\n",
                                                        u"portoser.crt"_s);
    QTest::addRow("prune") << HealScripts::prune(h, 1 << 20);
    QTest::addRow("clear pid") << HealScripts::clearPid(h, u"api"_s);
    QTest::addRow("reset failed") << HealScripts::resetFailed(u"api.service"_s);
    QTest::addRow("free port") << HealScripts::killPortHolder(4242, 8080, 5);
    QTest::addRow("operator command")
        << HealScripts::command(h, u"api"_s, u"rm -rf {service_dir}/cache && echo {port}"_s,
                                {{u"port"_s, u"8080"_s}});
}

void TestHostScripts::scripts()
{
    QFETCH(QString, script);
    QVERIFY2(!script.isEmpty(), "no script generated");
    if (qEnvironmentVariableIsSet("PORTOSER_DUMP_SCRIPTS")) // to read what a finding points at
        qInfo("%s\n%s", QTest::currentDataTag(), qPrintable(script));
    const QString dashErrors = check(u"dash"_s, {u"-n"_s}, script);
    QVERIFY2(dashErrors.isEmpty(), qPrintable(dashErrors));
    const QString busybox = QStandardPaths::findExecutable(u"busybox"_s);
    QVERIFY2(!busybox.isEmpty(), "busybox is missing (scripts/setup installs it)");
    const QString ashErrors = check(busybox, {u"sh"_s, u"-n"_s}, script);
    QVERIFY2(ashErrors.isEmpty(), qPrintable(ashErrors));
    const QString shellcheck = QStandardPaths::findExecutable(u"shellcheck"_s);
    QVERIFY2(!shellcheck.isEmpty(), "shellcheck is missing (scripts/setup installs it)");
    // Left out, on purpose: SC2154/SC2034 (the header sets a kind's variables, the prelude's
    // functions share globals), SC1090 (the service's env file is sourced), SC2046 (`set --
    // $(uname -sm)` and friends split on purpose).
    const QString lint = check(shellcheck,
                               {u"-s"_s, u"sh"_s, u"-S"_s, u"warning"_s, u"-e"_s,
                                u"SC2154,SC2034,SC1090,SC2046"_s, u"-f"_s, u"gcc"_s, u"-"_s},
                               script);
    QVERIFY2(lint.isEmpty(), qPrintable(lint));
}

QTEST_GUILESS_MAIN(TestHostScripts)
#include "TestHostScripts.moc"
