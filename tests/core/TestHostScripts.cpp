// SPDX-License-Identifier: Apache-2.0
// Every script Portoser sends to a host, generated for each kind of service and option, is valid
// POSIX sh for dash and BusyBox ash (`-n`), and clean under `shellcheck -s sh` at warning level:
// what reaches a Pi, a Debian box or a router is linted like code. So is every file under
// core/scripts (found in the source tree: a new script is linted without touching this test).
// Each script sets exactly the variables its file declares, and its body reads no variable that
// neither the header, the body nor the prelude sets. A few run for real, in a temp dir, through
// the local transport.
#include "core/deploy/HostScript.h"
#include "core/deploy/RemoteScripts.h"
#include "core/heal/HealScripts.h"
#include "core/registry/Host.h"
#include "core/registry/Service.h"
#include "core/transport/LocalTransport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include <unistd.h>

using namespace Portoser;
using namespace Qt::Literals::StringLiterals;

class TestHostScripts : public QObject
{
    Q_OBJECT

private slots:
    void scripts_data();
    void scripts();
    void sources_data();
    void sources();
    void contracts();

    // Run for real through the local transport, in a temp dir.
    void init();
    void cleanup();
    void prepareTakesTheLockAndUnlockLetsGo();
    void aLaterRunWaitsForTheScriptAnEarlierRunLeft();
    void stopAndObserveWithoutAProcess();
    void observeRunsTheHttpChecksInOneCurl();
    void activateStartsRevertsAndStops();
    void filesAndHealSteps();

private:
    CommandResult run(const QString &script, int seconds = 30)
    {
        auto result = m_transport.run(script, std::chrono::seconds(seconds));
        if (!result)
            qFatal("%s", qPrintable(result.error().message));
        return *result;
    }
    QString svcDir(const QString &service = u"svc"_s) const
    {
        return m_host.path + u"/.portoser/"_s + service;
    }

    QTemporaryDir m_dir;
    Host m_host;
    LocalTransport m_transport;
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

/** Every script the builders make, for each kind of service and option. */
QList<std::pair<QByteArray, QString>> renderAll()
{
    QList<std::pair<QByteArray, QString>> rows;
    const Host h = host();
    for (const auto &[name, type] :
         {std::pair{"process", DeploymentType::Process},
          std::pair{"docker", DeploymentType::Docker}, std::pair{"native", DeploymentType::Native},
          std::pair{"local", DeploymentType::Local}}) {
        const Service s = service(type);
        const Runtime runtime = Runtime::forService(s);
        for (const bool rerun : {false, true}) {
            Activation a;
            a.releaseId = u"4f2e9a01"_s;
            a.uploadDir = rerun ? QString() : u"/home/pi/services dir/.portoser/api/.tmp-x"_s;
            a.emptyRelease = type == DeploymentType::Native;
            a.envFileContent = u"PORT='8080'\nTOKEN='a'\"'\"'b'\n"_s;
            a.keepEnv = rerun;
            a.envNeedsSecrets = rerun;
            a.command = s.command;
            a.workingDir = u"sub dir"_s;
            a.health = HealthProbe::forService(s);
            a.lockHolder = u"coord=laptop pid=42"_s;
            a.runtime = runtime;
            rows.append({"activate "_ba + name + (rerun ? " rerun" : ""),
                         RemoteScripts::activate(h, s.name, a)});
        }
        rows.append({"stop "_ba + name, RemoteScripts::stop(h, s.name, runtime, 10)});
        RemoteScripts::StatusQuery query;
        query.service = s.name;
        query.probe = HealthProbe::forService(s);
        query.runtime = runtime;
        query.port = 8080;
        RemoteScripts::ObserveScope scope;
        scope.hostFacts = true;
        scope.docker = type == DeploymentType::Docker;
        scope.allPortHolders = true;
        rows.append({"observe "_ba + name, RemoteScripts::observe(h, {query, query}, scope)});
    }
    rows.append(
        {"observe without host facts", RemoteScripts::observe(h, {{u"api"_s, {}, {}, 0}}, {})});
    rows.append({"prepare", RemoteScripts::prepare(h, u"api"_s, u"4f2e9a01"_s,
                                                   u"coord=laptop pid=42"_s, 900, true, true)});
    rows.append({"unlock", RemoteScripts::unlock(h, u"api"_s, u"coord=laptop pid=42"_s)});
    rows.append({"logs", RemoteScripts::logTail(h, u"api"_s, 100, true)});
    rows.append({"service file", RemoteScripts::readServiceFile(h, u"api/service.yml"_s)});
    rows.append({"install files",
                 RemoteScripts::installFiles(h, u"api"_s, u"tls"_s,
                                             {{u"server.key"_s, "-----BEGIN KEY-----\n", true},
                                              {u"server.crt"_s, "-----BEGIN CERT-----", false}})});
    rows.append(
        {"trust ca", RemoteScripts::trustCa("-----BEGIN CERTIFICATE-----\n", u"portoser.crt"_s)});
    rows.append({"prune", HealScripts::prune(h, 1 << 20)});
    rows.append({"clear pid", HealScripts::clearPid(h, u"api"_s)});
    rows.append({"reset failed", HealScripts::resetFailed(u"api.service"_s)});
    rows.append({"free port", HealScripts::killPortHolder(4242, 8080, 5)});
    rows.append({"operator command",
                 HealScripts::command(h, u"api"_s, u"rm -rf {service_dir}/cache && echo {port}"_s,
                                      {{u"port"_s, u"8080"_s}})});
    return rows;
}

/** `a=\nb=\n…`: what a linter needs to take these variables as set. */
QString assignments(const QStringList &variables)
{
    QString lines;
    for (const QString &v : variables)
        lines += v + u"=\n"_s;
    return lines;
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

// Left out, on purpose: SC2154/SC2034 (a script reads variables its header or the prelude sets,
// the prelude's functions share globals), SC1090 (the service's env file is sourced), SC2046
// (`set -- $(uname -sm)` and friends split on purpose).
const QString Exclusions = u"SC2154,SC2034,SC1090,SC2046"_s;

/** dash -n, busybox sh -n and shellcheck (with `exclusions`): their findings, empty when none. */
QString lint(const QString &script, const QString &exclusions = Exclusions)
{
    if (const QString e = check(u"dash"_s, {u"-n"_s}, script); !e.isEmpty())
        return u"dash: "_s + e;
    const QString busybox = QStandardPaths::findExecutable(u"busybox"_s);
    if (busybox.isEmpty())
        return u"busybox is missing (scripts/setup installs it)"_s;
    if (const QString e = check(busybox, {u"sh"_s, u"-n"_s}, script); !e.isEmpty())
        return u"busybox sh: "_s + e;
    const QString shellcheck = QStandardPaths::findExecutable(u"shellcheck"_s);
    if (shellcheck.isEmpty())
        return u"shellcheck is missing (scripts/setup installs it)"_s;
    return check(
        shellcheck,
        {u"-s"_s, u"sh"_s, u"-S"_s, u"warning"_s, u"-e"_s, exclusions, u"-f"_s, u"gcc"_s, u"-"_s},
        script);
}

/** Only shellcheck, with SC2154 (referenced but never assigned) on. */
QString unassigned(const QString &script)
{
    return check(
        QStandardPaths::findExecutable(u"shellcheck"_s),
        {u"-s"_s, u"sh"_s, u"-S"_s, u"warning"_s, u"-i"_s, u"SC2154"_s, u"-f"_s, u"gcc"_s, u"-"_s},
        script);
}

/** Whether `pid` is a live process (not a zombie that nobody reaped yet). */
bool running(int pid)
{
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    const qsizetype end = line.lastIndexOf(") ");
    return end > 0 && line.mid(end + 2, 1) != "Z";
}

const QRegularExpression &placeholder()
{
    static const QRegularExpression re(u"%[0-9]"_s);
    return re;
}

} // namespace

void TestHostScripts::scripts_data()
{
    QTest::addColumn<QString>("script");
    // The script with the prelude taken out, and what its functions set for the script to read
    // assigned instead: a body that reads a variable nobody sets shows up as SC2154.
    QTest::addColumn<QString>("withoutPrelude");
    const QString prelude = RemoteScripts::prelude();
    const QString preludeSets = assignments(HostScript::declared(u"prelude"_s, u"Sets"_s));
    for (const auto &[tag, script] : renderAll()) {
        QString without = script;
        without.replace(prelude, preludeSets);
        QTest::newRow(tag.constData()) << script << without;
    }
    // The prelude on its own, the variables its functions read assigned.
    QTest::newRow("prelude") << prelude
                             << assignments(HostScript::declared(u"prelude"_s)) + prelude;
}

void TestHostScripts::scripts()
{
    QFETCH(QString, script);
    QFETCH(QString, withoutPrelude);
    QVERIFY2(!script.isEmpty(), "no script generated");
    if (qEnvironmentVariableIsSet("PORTOSER_DUMP_SCRIPTS")) // to read what a finding points at
        qInfo("%s\n%s", QTest::currentDataTag(), qPrintable(script));
    const QString findings = lint(script);
    QVERIFY2(findings.isEmpty(), qPrintable(findings));
    const QString unset = unassigned(withoutPrelude);
    QVERIFY2(unset.isEmpty(), qPrintable(unset));
    QVERIFY2(!script.contains(placeholder()), "an arg() placeholder was left in the script");
}

void TestHostScripts::sources_data()
{
    QTest::addColumn<QString>("path");
    const QString source = qEnvironmentVariable("PORTOSER_SOURCE_DIR");
    QVERIFY2(!source.isEmpty(), "PORTOSER_SOURCE_DIR is not set (CTest sets it)");
    const QDir dir(source + u"/core/scripts"_s);
    const QStringList files = dir.entryList({u"*.sh"_s}, QDir::Files, QDir::Name);
    QVERIFY2(!files.isEmpty(), qPrintable(dir.path()));
    for (const QString &file : files)
        QTest::newRow(qPrintable(file)) << dir.filePath(file);
}

void TestHostScripts::sources()
{
    QFETCH(QString, path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    const QString name = QFileInfo(path).completeBaseName();

    // Compiled in as it is here (a file missing from core/CMakeLists.txt fails here).
    QFile compiled(u":/scripts/"_s + QFileInfo(path).fileName());
    QVERIFY2(compiled.open(QIODevice::ReadOnly), "not in the host_scripts resource");
    QVERIFY2(QString::fromUtf8(compiled.readAll()) == text, "the resource is out of date");
    QVERIFY(HostScript::names().contains(name));

    // Its contract: a comment block that names what it reads, each of which the body reads.
    QVERIFY(text.startsWith(u"# SPDX-License-Identifier: Apache-2.0\n"_s));
    QVERIFY2(text.contains(u"\n# Reads:"_s), "no '# Reads:' in its leading comment");
    const QString body = HostScript::body(name);
    QVERIFY2(!body.isEmpty() && text.endsWith(u"\n\n"_s + body),
             "no blank line between the comment block and the body");
    // What it reads through the prelude's functions counts as read.
    const QString reader = body.contains(u"pt_"_s) ? body + HostScript::body(u"prelude"_s) : body;
    for (const QString &variable : HostScript::declared(name)) {
        // $x, ${x}, or x inside $(( )).
        const QRegularExpression read(u"\\$\\{?%1\\b|\\(\\([^)]*\\b%1\\b"_s.arg(variable));
        QVERIFY2(reader.contains(read),
                 qPrintable(u"declares $%1 but never reads it"_s.arg(variable)));
    }
    for (const QString &variable : HostScript::declared(name, u"Sets"_s)) {
        const QRegularExpression assigned(u"(^|[\\s;{(])%1="_s.arg(variable));
        QVERIFY2(body.contains(assigned),
                 qPrintable(u"declares it sets $%1 but never does"_s.arg(variable)));
    }
    QVERIFY2(!body.contains(placeholder()), "an arg() placeholder in a script file");

    const QString findings = lint(text);
    QVERIFY2(findings.isEmpty(), qPrintable(findings));
}

void TestHostScripts::contracts()
{
    // Every builder sets exactly the variables its script declares (HostScript::render() says
    // so on qCritical when not).
    static QStringList complaints;
    complaints.clear();
    const QtMessageHandler previous =
        qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &m) {
            if (type == QtCriticalMsg && m.startsWith(u"host script"_s))
                complaints.append(m);
        });
    const auto rows = renderAll();
    qInstallMessageHandler(previous);
    QVERIFY(!rows.isEmpty());
    QVERIFY2(complaints.isEmpty(), qPrintable(complaints.join(u'\n')));

    // And the check itself holds: a variable too many, or one missing, is a complaint.
    QVERIFY(!HostScript(u"unlock"_s).set(u"svc"_s, u"x"_s).contractMismatch().isEmpty());
    QVERIFY(HostScript(u"unlock"_s)
                .set(u"svc"_s, u"x"_s)
                .setValue(u"holder"_s, u"h"_s)
                .contractMismatch()
                .isEmpty());
    QVERIFY(!HostScript(u"unlock"_s)
                 .set(u"svc"_s, u"x"_s)
                 .setValue(u"holder"_s, u"h"_s)
                 .setValue(u"other"_s, u"o"_s)
                 .contractMismatch()
                 .isEmpty());
    QVERIFY(!HostScript::isValidName(u"a;b"_s));
    QVERIFY(!HostScript::isValidName(u"Name"_s));
    QVERIFY(HostScript::isValidName(u"dc_file2"_s));
}

void TestHostScripts::init()
{
    const QByteArray test = QTest::currentTestFunction();
    if (test == "scripts" || test == "sources" || test == "contracts")
        return;
    QVERIFY(m_dir.isValid());
    QDir(m_dir.path()).removeRecursively();
    m_host.name = u"local"_s;
    m_host.path = m_dir.path() + u"/base dir"_s; // a space: quoting must hold
    QVERIFY(QDir().mkpath(m_host.path));
}

void TestHostScripts::cleanup()
{
    // Nothing started here outlives its test.
    for (const QString &service : {u"svc"_s, u"api"_s}) {
        QFile pid(svcDir(service) + u"/run/pid"_s);
        if (pid.open(QIODevice::ReadOnly)) {
            bool ok = false;
            const int p = pid.readAll().trimmed().toInt(&ok);
            if (ok && p > 1)
                ::kill(-p, SIGKILL);
        }
    }
}

void TestHostScripts::prepareTakesTheLockAndUnlockLetsGo()
{
    const QString lock = svcDir() + u"/lock"_s;
    const CommandResult first =
        run(RemoteScripts::prepare(m_host, u"svc"_s, u"r1"_s, u"coord=a pid=1"_s, 900, true, true));
    QCOMPARE(first.exitCode, 0);
    const auto keys = RemoteScripts::parseKeyValues(first.out);
    QVERIFY2(keys.contains(u"current"_s) && keys.contains(u"previous"_s), first.out.constData());
    QCOMPARE(keys.value(u"current"_s), QString());
    QCOMPARE(keys.value(u"alive"_s), u"0"_s);
    QCOMPARE(keys.value(u"has_release"_s), u"0"_s);
    QCOMPARE(keys.value(u"upload_parent"_s), QFileInfo(svcDir()).canonicalFilePath());
    QVERIFY(!keys.value(u"os"_s).isEmpty() && !keys.value(u"arch"_s).isEmpty());
    QVERIFY(QDir(lock).exists());
    QVERIFY(QDir(svcDir() + u"/releases"_s).exists() && QDir(svcDir() + u"/logs"_s).exists());

    // Another coordinator waits (75) and learns who holds it; nothing about the upload.
    const CommandResult second = run(
        RemoteScripts::prepare(m_host, u"svc"_s, u"r1"_s, u"coord=b pid=2"_s, 900, false, false));
    QCOMPARE(second.exitCode, 75);
    const auto held = RemoteScripts::parseKeyValues(second.out);
    QCOMPARE(held.value(u"lock_holder"_s), u"coord=a pid=1"_s);
    QVERIFY(!held.contains(u"os"_s) && !held.contains(u"upload_parent"_s));

    // Only the holder lets go.
    QCOMPARE(run(RemoteScripts::unlock(m_host, u"svc"_s, u"coord=b pid=2"_s)).exitCode, 0);
    QVERIFY(QDir(lock).exists());
    QCOMPARE(run(RemoteScripts::unlock(m_host, u"svc"_s, u"coord=a pid=1"_s)).exitCode, 0);
    QVERIFY(!QDir(lock).exists());

    // A leftover upload is cleaned; a present release is reported.
    QVERIFY(QDir().mkpath(svcDir() + u"/.tmp-old"_s));
    QVERIFY(QDir().mkpath(svcDir() + u"/releases/r1"_s));
    const CommandResult third = run(
        RemoteScripts::prepare(m_host, u"svc"_s, u"r1"_s, u"coord=a pid=1"_s, 900, true, false));
    QCOMPARE(third.exitCode, 0);
    QVERIFY(third.out.contains("note=removed leftover .tmp-old"));
    QCOMPARE(RemoteScripts::parseKeyValues(third.out).value(u"has_release"_s), u"1"_s);
    QVERIFY(!RemoteScripts::parseKeyValues(third.out).contains(u"upload_parent"_s));
    QVERIFY(!QDir(svcDir() + u"/.tmp-old"_s).exists());
}

// A restart killed on the coordinator mid-gate leaves its activate script running on the host
// (it ignores HUP and runs to its end). The same coordinator's next run may break that run's
// lock, but only once the script is done: broken at once, the old script's revert stopped what
// the new deploy had just started.
void TestHostScripts::aLaterRunWaitsForTheScriptAnEarlierRunLeft()
{
    const QString lock = svcDir() + u"/lock"_s;
    QCOMPARE(run(RemoteScripts::prepare(m_host, u"svc"_s, u"r1"_s, u"coord=a pid=1"_s, 900, false,
                                        false))
                 .exitCode,
             0);
    // `body` after the prelude, with $svc set, in the background.
    const auto background = [this](QProcess &p, const QString &body) {
        p.start(u"sh"_s, {u"-c"_s, RemoteScripts::prelude() + u"\nsvc=$1\n"_s + body, u"activate"_s,
                          svcDir()});
        return p.waitForStarted();
    };
    // What activate does: note itself in the lock, work, let go. In a subshell of a shell that
    // lives on (as scripts run in the session's shell): the subshell is what is waited for.
    QProcess script;
    QVERIFY(
        background(script, u"( pt_lock_mark; sleep 1.5; pt_unlock 'coord=a pid=1' ); sleep 4\n"_s));
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(lock + u"/script"_s), 5000);

    QElapsedTimer waited;
    waited.start();
    const CommandResult next = run(
        RemoteScripts::prepare(m_host, u"svc"_s, u"r1"_s, u"coord=a pid=2"_s, 900, false, false));
    QCOMPARE(next.exitCode, 0);
    QVERIFY2(waited.elapsed() >= 1000 && waited.elapsed() < 3500,
             qPrintable(u"took the lock after %1 ms"_s.arg(waited.elapsed())));
    QVERIFY2(!next.out.contains("note=broke"), next.out.constData()); // it was let go, not broken
    QVERIFY(script.waitForFinished(10000));
    QFile holder(lock + u"/holder"_s);
    QVERIFY(holder.open(QIODevice::ReadOnly));
    QCOMPARE(holder.readAll().trimmed(), "coord=a pid=2");

    // An activation killed before it let go (its session's shell lives on): broken at once.
    QProcess killed;
    QVERIFY(background(killed, u"( pt_lock_mark; exec sleep 30 ) & sub=$!\n"
                               u"sleep 0.5; kill -9 \"$sub\"; sleep 4\n"_s));
    QTest::qWait(1200);
    waited.restart();
    const CommandResult after = run(
        RemoteScripts::prepare(m_host, u"svc"_s, u"r1"_s, u"coord=a pid=3"_s, 900, false, false));
    QCOMPARE(after.exitCode, 0);
    QVERIFY2(after.out.contains("note=broke"), after.out.constData());
    QVERIFY2(waited.elapsed() < 1000, qPrintable(u"%1 ms"_s.arg(waited.elapsed())));
    QVERIFY(killed.waitForFinished(10000));

    // A script that is gone, or a pid now another process's (its start time differs): broken at
    // once, as before.
    const QByteArray ours = QByteArray::number(::getpid()) + " 1\n";
    for (const QByteArray &noted : {"999999999 1\n"_ba, ours}) {
        QFile mark(lock + u"/script"_s);
        QVERIFY(mark.open(QIODevice::WriteOnly | QIODevice::Truncate));
        mark.write(noted);
        mark.close();
        waited.restart();
        const CommandResult again = run(RemoteScripts::prepare(
            m_host, u"svc"_s, u"r1"_s, u"coord=a pid=3"_s, 900, false, false));
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.out.contains("note=broke a stale host lock held by coord=a pid="),
                 again.out.constData());
        QVERIFY2(waited.elapsed() < 1000, qPrintable(u"%1 ms"_s.arg(waited.elapsed())));
    }
}

void TestHostScripts::stopAndObserveWithoutAProcess()
{
    const CommandResult never = run(RemoteScripts::stop(m_host, u"ghost"_s, {}, 1));
    QCOMPARE(never.exitCode, 0);
    QCOMPARE(RemoteScripts::parseKeyValues(never.out).value(u"result"_s), u"not_deployed"_s);

    QCOMPARE(run(RemoteScripts::prepare(m_host, u"svc"_s, u"r1"_s, u"coord=a pid=1"_s, 900, false,
                                        false))
                 .exitCode,
             0);
    QCOMPARE(run(RemoteScripts::unlock(m_host, u"svc"_s, u"coord=a pid=1"_s)).exitCode, 0);
    const CommandResult stopped = run(RemoteScripts::stop(m_host, u"svc"_s, {}, 1));
    QCOMPARE(stopped.exitCode, 0);
    QCOMPARE(RemoteScripts::parseKeyValues(stopped.out).value(u"result"_s), u"ok"_s);

    RemoteScripts::StatusQuery ghost{u"ghost"_s, {}, {}, 0};
    RemoteScripts::StatusQuery svc{u"svc"_s, {}, {}, 8080};
    RemoteScripts::ObserveScope scope;
    scope.hostFacts = true;
    const CommandResult observed = run(RemoteScripts::observe(m_host, {ghost, svc}, scope));
    QCOMPARE(observed.exitCode, 0);
    const auto host =
        RemoteScripts::parseKeyValues(observed.out.left(observed.out.indexOf("service=")));
    QVERIFY2(!host.value(u"os"_s).isEmpty(), observed.out.constData());
    QVERIFY(host.contains(u"disk_used_pct"_s));
    const auto sections = RemoteScripts::parseSections(observed.out, u"service"_s);
    QCOMPARE(sections.value(u"ghost"_s).value(u"state"_s), u"not_deployed"_s);
    QCOMPARE(sections.value(u"svc"_s).value(u"state"_s), u"stopped"_s);
    QCOMPARE(sections.value(u"svc"_s).value(u"starts"_s), u"0"_s);
    QVERIFY(sections.contains(u"@listeners"_s));
}

void TestHostScripts::observeRunsTheHttpChecksInOneCurl()
{
    // A real HTTP server; three running services whose checks pass, get a 404 and are refused.
    // A threaded HTTP server: /index.html answers, /slow never does, anything else is a 404.
    QProcess server;
    server.setProcessChannelMode(QProcess::MergedChannels);
    server.start(u"python3"_s,
                 {u"-u"_s, u"-c"_s,
                  u"import http.server, time\n"
                  "class H(http.server.BaseHTTPRequestHandler):\n"
                  "    def do_GET(self):\n"
                  "        if self.path == '/slow': time.sleep(30)\n"
                  "        self.send_response(200 if self.path == '/index.html' else 404)\n"
                  "        self.end_headers()\n"
                  "    def log_message(self, *a): pass\n"
                  "s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)\n"
                  "s.daemon_threads = True\n"
                  "print('port', s.server_address[1])\n"
                  "s.serve_forever()\n"_s});
    QByteArray said;
    QTRY_VERIFY_WITH_TIMEOUT((said += server.readAll()).contains("port "), 10000);
    const int port =
        QRegularExpression(u"port (\\d+)"_s).match(QString::fromUtf8(said)).captured(1).toInt();
    QVERIFY(port > 0);
    // The hung check comes first: the others to the same host and port must not wait behind it.
    const QStringList names = {u"hung"_s, u"up"_s, u"missing"_s, u"refused"_s};
    const QStringList urls = {
        u"http://127.0.0.1:%1/slow"_s.arg(port), u"http://127.0.0.1:%1/index.html"_s.arg(port),
        u"http://127.0.0.1:%1/nothing-here"_s.arg(port), u"http://127.0.0.1:1/"_s};
    QList<RemoteScripts::StatusQuery> queries;
    for (qsizetype i = 0; i < names.size(); ++i) {
        QCOMPARE(run(RemoteScripts::prepare(m_host, names[i], u"r1"_s, u"coord=a pid=1"_s, 900,
                                            true, false))
                     .exitCode,
                 0);
        Activation a;
        a.releaseId = u"r1"_s;
        a.emptyRelease = true;
        a.command = u"exec sleep 60"_s;
        a.health.kind = HealthProbe::Kind::Running;
        a.health.retries = 1;
        a.stopTimeoutSeconds = 1;
        a.lockHolder = u"coord=a pid=1"_s;
        const CommandResult started = run(RemoteScripts::activate(m_host, names[i], a));
        QVERIFY2(RemoteScripts::parseKeyValues(started.out).value(u"result"_s) == u"ok"_s,
                 started.out.constData());
        RemoteScripts::StatusQuery q{names[i], {}, {}, 0};
        q.probe.kind = HealthProbe::Kind::Http;
        q.probe.target = urls[i];
        q.probe.timeoutSeconds = 2; // the same for all: none may wait for the hung one
        queries.append(q);
    }
    // A curl that notes each run, and one that knows no --parallel (curl before 7.66).
    const QString bin = m_dir.filePath(u"bin"_s);
    QVERIFY(QDir().mkpath(bin));
    const QString calls = m_dir.filePath(u"curl-calls"_s);
    const QString curl = QStandardPaths::findExecutable(u"curl"_s);
    QVERIFY(!curl.isEmpty());
    // Today's curl; one without %{exitcode} (7.66-7.74: it prints nothing for it); one without
    // --parallel (before 7.66). Each observed twice: first not knowing what the host's curl can
    // (it is asked and says "curl_batch="), then knowing what it said.
    struct Curl
    {
        QByteArray quirk;
        int runsAsking;
        QString says;
        int runsKnowing;
    };
    const QList<Curl> curls = {
        {QByteArray(), 2, u"1"_s, 1}, // the probe and the batch; then the batch alone
        {QByteArray("case \"$*\" in *%{exitcode}*) exit 0 ;; esac\n"), 5, u"0"_s,
         4}, // the probe and 4 checks; then the 4 checks
        {QByteArray("[ \"$1\" = --parallel ] && { echo 'curl: option --parallel: is unknown' "
                    ">&2; exit 2; }\n"),
         6, u"1"_s, 5}}; // probe, the batch refused, 4 checks; then without the probe
    for (const Curl &c : curls) {
        QFile shim(bin + u"/curl"_s);
        QVERIFY(shim.open(QIODevice::WriteOnly));
        shim.write("#!/bin/sh\necho run >> '" + calls.toUtf8() + "'\n" + c.quirk + "exec '"
                   + curl.toUtf8() + "' \"$@\"\n");
        shim.close();
        shim.setPermissions(shim.permissions() | QFile::ExeOwner);
        RemoteScripts::ObserveScope scope;
        for (const bool knowing : {false, true}) {
            QFile::remove(calls);
            const CommandResult observed = run(u"PATH='%1':\"$PATH\"\n"_s.arg(bin)
                                               + RemoteScripts::observe(m_host, queries, scope));
            const auto facts =
                RemoteScripts::parseKeyValues(observed.out.left(observed.out.indexOf("service=")));
            QCOMPARE(facts.value(u"curl_batch"_s), knowing ? QString() : c.says);
            scope.curlBatch = c.says;
            const auto sections = RemoteScripts::parseSections(observed.out, u"service"_s);
            QCOMPARE(sections.value(u"hung"_s).value(u"health"_s), u"unhealthy"_s);
            QVERIFY2(sections.value(u"hung"_s).value(u"health_detail"_s).contains(u"(28)"_s),
                     observed.out.constData());
            QCOMPARE(sections.value(u"up"_s).value(u"health"_s), u"healthy"_s);
            QCOMPARE(sections.value(u"missing"_s).value(u"health"_s), u"unhealthy"_s);
            const QString missing = sections.value(u"missing"_s).value(u"health_detail"_s);
            QVERIFY2(missing.startsWith(u"curl: (22) "_s) && missing.contains(u"404"_s),
                     observed.out.constData());
            QCOMPARE(sections.value(u"refused"_s).value(u"health"_s), u"unhealthy"_s);
            QVERIFY2(
                sections.value(u"refused"_s).value(u"health_detail"_s).startsWith(u"curl: (7) "_s),
                observed.out.constData());
            QFile log(calls);
            QVERIFY(log.open(QIODevice::ReadOnly));
            QCOMPARE(log.readAll().count('\n'), knowing ? c.runsKnowing : c.runsAsking);
        }
    }
    for (const QString &name : names)
        run(RemoteScripts::stop(m_host, name, {}, 1));
    server.kill();
    server.waitForFinished(5000);
}

void TestHostScripts::activateStartsRevertsAndStops()
{
    // r1: a process that keeps running, uploaded into a temp dir beside the releases.
    QCOMPARE(
        run(RemoteScripts::prepare(m_host, u"svc"_s, u"r1"_s, u"coord=a pid=1"_s, 900, true, false))
            .exitCode,
        0);
    QVERIFY(QDir().mkpath(svcDir() + u"/.tmp-up/sub dir"_s));
    Activation a;
    a.releaseId = u"r1"_s;
    a.uploadDir = svcDir() + u"/.tmp-up"_s;
    a.envFileContent = u"GREETING='it'\"'\"'s'\n"_s;
    a.command = u"echo \"started $GREETING in $(basename \"$PWD\")\"; exec sleep 60"_s;
    a.workingDir = u"sub dir"_s;
    a.health.kind = HealthProbe::Kind::Running;
    a.health.retries = 1;
    a.health.minUptimeSeconds = 1;
    a.stopTimeoutSeconds = 2;
    a.lockHolder = u"coord=a pid=1"_s;
    const CommandResult first = run(RemoteScripts::activate(m_host, u"svc"_s, a));
    const auto ok = RemoteScripts::parseKeyValues(first.out);
    QVERIFY2(ok.value(u"result"_s) == u"ok"_s, first.out.constData());
    QCOMPARE(ok.value(u"step"_s), u"done"_s);
    QVERIFY(!QDir(svcDir() + u"/lock"_s).exists()); // activation lets go of the lock
    QVERIFY(!QDir(a.uploadDir).exists());
    QCOMPARE(QFileInfo(svcDir() + u"/current"_s).symLinkTarget(),
             QFileInfo(svcDir() + u"/releases/r1"_s).absoluteFilePath());
    QFile env(svcDir() + u"/env"_s);
    QVERIFY(env.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(env.readAll()), a.envFileContent);
    QCOMPARE(env.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    QFile last(svcDir() + u"/last"_s);
    QVERIFY(last.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(last.readAll()),
             u"prevcmd='echo \"started $GREETING in $(basename \"$PWD\")\"; exec sleep 60'\n"
             "prevwd=\"$svc/current\"/'sub dir'\nprevgate='running '\\'''\\'' 5 1 2 0 1'\n"_s);
    QFile runtime(svcDir() + u"/runtime"_s);
    QVERIFY(runtime.open(QIODevice::ReadOnly));
    QCOMPARE(runtime.readAll(), "kind=process\n");
    QFile log(svcDir() + u"/logs/svc.log"_s);
    QVERIFY(log.open(QIODevice::ReadOnly));
    QVERIFY2(log.readAll().contains("started it's in sub dir"), "the env and working dir");

    RemoteScripts::StatusQuery query{u"svc"_s, {}, {}, 0};
    auto observed =
        RemoteScripts::parseSections(run(RemoteScripts::observe(m_host, {query})).out, u"service"_s)
            .value(u"svc"_s);
    QCOMPARE(observed.value(u"state"_s), u"running"_s);
    QCOMPARE(observed.value(u"health"_s), u"healthy"_s);
    QCOMPARE(observed.value(u"pid"_s), ok.value(u"pid"_s));
    QCOMPARE(observed.value(u"current"_s), u"r1"_s);

    // r2 exits at once: it fails its gate and r1 comes back, started as it was.
    QCOMPARE(run(RemoteScripts::prepare(m_host, u"svc"_s, u"r2"_s, u"coord=a pid=1"_s, 900, false,
                                        false))
                 .exitCode,
             0);
    Activation b = a;
    b.releaseId = u"r2"_s;
    b.uploadDir.clear();
    b.emptyRelease = true;
    b.workingDir.clear();
    b.command = u"exit 3"_s;
    const CommandResult second = run(RemoteScripts::activate(m_host, u"svc"_s, b));
    const auto reverted = RemoteScripts::parseKeyValues(second.out);
    QVERIFY2(reverted.value(u"result"_s) == u"rolled_back"_s, second.out.constData());
    QCOMPARE(reverted.value(u"gate_failure"_s), u"exited"_s);
    QCOMPARE(reverted.value(u"exit_status"_s), u"3"_s);
    QCOMPARE(QFileInfo(svcDir() + u"/current"_s).symLinkTarget(),
             QFileInfo(svcDir() + u"/releases/r1"_s).absoluteFilePath());
    QVERIFY(!QDir(svcDir() + u"/lock"_s).exists());

    // The log, then a stop: the group is gone and the service is stopped, not dead.
    const CommandResult tail = run(RemoteScripts::logTail(m_host, u"svc"_s, 50));
    QCOMPARE(tail.exitCode, 0);
    QVERIFY(tail.out.contains("started it's in sub dir"));
    const QString pid =
        RemoteScripts::parseKeyValues(run(RemoteScripts::observe(m_host, {query})).out)
            .value(u"pid"_s);
    QVERIFY(!pid.isEmpty());
    const CommandResult stopped = run(RemoteScripts::stop(m_host, u"svc"_s, {}, 2));
    QCOMPARE(RemoteScripts::parseKeyValues(stopped.out).value(u"result"_s), u"ok"_s);
    QVERIFY(!running(pid.toInt()));
    observed =
        RemoteScripts::parseSections(run(RemoteScripts::observe(m_host, {query})).out, u"service"_s)
            .value(u"svc"_s);
    QCOMPARE(observed.value(u"state"_s), u"stopped"_s);
}

void TestHostScripts::filesAndHealSteps()
{
    const CommandResult installed = run(RemoteScripts::installFiles(
        m_host, u"api"_s, u"tls dir"_s,
        {{u"server.key"_s, "secret 'key'", true}, {u"server.crt"_s, "cert\n", false}}));
    QCOMPARE(installed.exitCode, 0);
    const QString dir = svcDir(u"api"_s) + u"/tls dir"_s;
    QVERIFY2(installed.out.contains(("installed=" + dir + "/server.key\n").toUtf8()),
             installed.out.constData());
    QFile key(dir + u"/server.key"_s), cert(dir + u"/server.crt"_s);
    QVERIFY(key.open(QIODevice::ReadOnly) && cert.open(QIODevice::ReadOnly));
    QCOMPARE(key.readAll(), "secret 'key'\n");
    QCOMPARE(cert.readAll(), "cert\n");
    QCOMPARE(key.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    QVERIFY(cert.permissions() & QFile::ReadOther);

    QFile yml(m_host.path + u"/api/service.yml"_s);
    QVERIFY(QDir().mkpath(m_host.path + u"/api"_s) && yml.open(QIODevice::WriteOnly));
    yml.write("name: api\n");
    yml.close();
    const CommandResult read = run(RemoteScripts::readServiceFile(m_host, u"/api/service.yml"_s));
    QCOMPARE(read.exitCode, 0);
    QCOMPARE(read.out, "name: api\n");
    QCOMPARE(run(RemoteScripts::readServiceFile(m_host, u"nope.yml"_s)).exitCode, 1);
    QCOMPARE(run(RemoteScripts::logTail(m_host, u"api"_s, 10)).exitCode, 1); // no log yet

    QVERIFY(QDir().mkpath(svcDir(u"api"_s) + u"/run"_s));
    QFile pid(svcDir(u"api"_s) + u"/run/pid"_s);
    QVERIFY(pid.open(QIODevice::WriteOnly));
    pid.close();
    QVERIFY(run(HealScripts::clearPid(m_host, u"api"_s)).out.contains("cleared=1"));
    QVERIFY(!pid.exists());
    const CommandResult gone = run(HealScripts::killPortHolder(2147483, 1, 1));
    QCOMPARE(gone.exitCode, 0);
    QVERIFY(gone.out.contains("result=gone"));
    const CommandResult command = run(HealScripts::command(
        m_host, u"api"_s, u"printf '%s|%s|%s\\n' \"$PWD\" {port} \"${base-unset}\""_s,
        {{u"port"_s, u"80 80"_s}}));
    QCOMPARE(command.exitCode, 0);
    QCOMPARE(QString::fromUtf8(command.out),
             QFileInfo(m_host.path).canonicalFilePath() + u"|80 80|unset\n"_s);
}

QTEST_GUILESS_MAIN(TestHostScripts)
#include "TestHostScripts.moc"
