// SPDX-License-Identifier: Apache-2.0
// The Transport contract, for the local shell and for SSH to the namespace test hosts, plus what
// only SSH has: host keys, authentication, reconnects and unreachable hosts.
#include "core/deploy/HostWorker.h"
#include "core/transport/LocalTransport.h"
#include "core/transport/ShellCommand.h"
#include "core/transport/SshTransport.h"
#include "tests/support/TestHosts.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <optional>

#include <unistd.h>

using namespace Portoser;
using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

class TestTransport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void exitCodeAndSeparateStreams_data() { transports(); }
    void exitCodeAndSeparateStreams();
    void oneResidentShellServesEveryCommand_data() { transports(); }
    void oneResidentShellServesEveryCommand();
    void outputWithoutNewlineAndLargeOutput_data() { transports(); }
    void outputWithoutNewlineAndLargeOutput();
    void quotedArgumentsArriveExactly_data() { transports(); }
    void quotedArgumentsArriveExactly();
    void timeoutThenRecovers_data() { transports(); }
    void timeoutThenRecovers();
    void outputIsStreamed_data() { transports(); }
    void outputIsStreamed();
    void uploadKeepsTreeAndModes_data() { transports(); }
    void uploadKeepsTreeAndModes();
    void nulInScriptIsRefused();

    void everyHostAnswersFromItsOwnAddress();
    void unknownHostKeyIsRefusedUnlessAccepted();
    void changedHostKeyIsAlwaysRefused();
    void wrongKeyIsDenied();
    void reconnectsOnceAfterSshdRestart();
    void unreachableHostFailsWithinTimeout();
    void workQueuedBehindAFailingConnectFailsWithIt();
    void aFailureInTheMiddleOfAJobIsNotItsAnswer();
    void stalledUploadFailsAndTheNextWorks_data();
    void stalledUploadFailsAndTheNextWorks();
    void runOnADeadLinkEndsByItsDeadline();
    void uploadWithoutSftpGoesThroughTheShell();

private:
    void transports();
    std::unique_ptr<Transport> make(const QString &kind) const;
    SshTarget target(const QString &host) const;
    void hostsTool(const QStringList &args) const { QVERIFY(m_hosts.tool(args)); }
    bool haveHosts() const { return !m_hosts.isEmpty(); }

    QString bigFile();

    Test::TestHosts m_hosts;
    QString m_hostsDir;
    std::unique_ptr<QTemporaryDir> m_bigDir; // 150 MB of random data, made once
    QMap<QString, QString> m_addresses;      // h1 -> 10.231.1.2
};

void TestTransport::initTestCase()
{
    m_hosts = Test::TestHosts::fromEnvironment();
    m_hostsDir = m_hosts.dir();
    m_addresses = m_hosts.addresses();
    if (!haveHosts())
        qInfo("SSH rows skipped: the namespace test hosts need root (the local rows still run)");
}

void TestTransport::transports()
{
    QTest::addColumn<QString>("kind");
    QTest::addRow("local") << u"local"_s;
    if (haveHosts())
        QTest::addRow("ssh") << u"h1"_s;
}

SshTarget TestTransport::target(const QString &host) const
{
    SshTarget t;
    t.hostName = host;
    t.address = m_addresses.value(host);
    t.user = u"root"_s;
    t.keyFile = m_hostsDir + u"/id_ed25519"_s;
    t.knownHosts = m_hostsDir + u"/known_hosts"_s;
    t.connectTimeout = 3s;
    return t;
}

std::unique_ptr<Transport> TestTransport::make(const QString &kind) const
{
    if (kind == u"local"_s)
        return std::make_unique<LocalTransport>();
    return std::make_unique<SshTransport>(target(kind));
}

void TestTransport::exitCodeAndSeparateStreams()
{
    QFETCH(QString, kind);
    auto t = make(kind);
    const auto r = t->run(u"echo out; echo err >&2; exit 3"_s, 10s);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->exitCode, 3);
    QCOMPARE(r->out, QByteArray("out\n"));
    QCOMPARE(r->err, QByteArray("err\n"));
    const auto next = t->run(u"true"_s, 10s);
    QVERIFY(next);
    QCOMPARE(next->exitCode, 0);
}

void TestTransport::oneResidentShellServesEveryCommand()
{
    QFETCH(QString, kind);
    auto t = make(kind);
    // $$ in a subshell is the resident shell's pid: the same for every script means one shell.
    const auto first = t->run(u"cd /tmp; set -e; echo $$"_s, 10s);
    QVERIFY(first);
    for (int i = 0; i < 20; ++i) {
        const auto again = t->run(u"echo $$; pwd"_s, 10s);
        QVERIFY(again);
        QCOMPARE(again->out.split('\n').first(), first->out.trimmed());
        QVERIFY2(again->out.split('\n').value(1) != "/tmp",
                 "a script's cd leaked into the next one");
    }
}

void TestTransport::outputWithoutNewlineAndLargeOutput()
{
    QFETCH(QString, kind);
    auto t = make(kind);
    const auto bare = t->run(u"printf abc"_s, 10s);
    QVERIFY(bare);
    QCOMPARE(bare->out, QByteArray("abc"));
    const auto big = t->run(u"head -c 3000000 /dev/zero | tr '\\000' x"_s, 30s);
    QVERIFY(big);
    QCOMPARE(big->out.size(), 3000000);
    QVERIFY(!big->truncated);
    QCOMPARE(big->out.count('x'), 3000000);
}

void TestTransport::quotedArgumentsArriveExactly()
{
    QFETCH(QString, kind);
    auto t = make(kind);
    const QStringList evil = {u"x; rm -rf /"_s,
                              u"$(touch /tmp/portoser-pwned)"_s,
                              u"`id`"_s,
                              u"a|b"_s,
                              u"a && b"_s,
                              u"../../etc"_s,
                              u"line\nbreak"_s,
                              u"it's"_s,
                              u"\"dq\""_s,
                              u"$HOME ${IFS} *"_s,
                              u"-n"_s,
                              u""_s,
                              u"ünïcødé"_s,
                              u"plain\n"_s,
                              u"plain\necho injected"_s};
    for (const QString &value : evil) {
        const auto r = t->run(ShellCommand(u"printf"_s).arg(u"%s"_s).arg(value).toString(), 10s);
        QVERIFY(r);
        QCOMPARE(QString::fromUtf8(r->out), value);
    }
    QVERIFY(!QFile::exists(u"/tmp/portoser-pwned"_s));
}

void TestTransport::timeoutThenRecovers()
{
    QFETCH(QString, kind);
    auto t = make(kind);
    const auto slow = t->run(u"sleep 5"_s, 300ms);
    QVERIFY(!slow);
    QCOMPARE(slow.error().code, ErrorCode::Timeout);
    const auto next = t->run(u"echo ok"_s, 10s);
    QVERIFY2(next, qPrintable(next ? QString() : next.error().message));
    QCOMPARE(next->out, QByteArray("ok\n"));
}

void TestTransport::outputIsStreamed()
{
    QFETCH(QString, kind);
    auto t = make(kind);
    QByteArray streamed;
    int chunks = 0;
    const auto r = t->run(u"for i in 1 2 3; do echo line$i; sleep 0.2; done"_s, 10s,
                          [&](const QByteArray &chunk, bool isStderr) {
                              if (!isStderr) {
                                  streamed += chunk;
                                  ++chunks;
                              }
                          });
    QVERIFY(r);
    QCOMPARE(streamed, r->out);
    QCOMPARE(streamed, QByteArray("line1\nline2\nline3\n"));
    QVERIFY2(chunks >= 3, "output arrived only at the end");
}

void TestTransport::uploadKeepsTreeAndModes()
{
    QFETCH(QString, kind);
    auto t = make(kind);
    QTemporaryDir local;
    QDir(local.path()).mkpath(u"app/sub"_s);
    const auto put = [&](const QString &rel, const QByteArray &data, QFile::Permissions perms) {
        QFile f(local.filePath(rel));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
        f.close();
        QVERIFY(f.setPermissions(perms));
    };
    put(u"app/run.sh"_s, "#!/bin/sh\necho run\n",
        QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
            | QFile::ReadOther | QFile::ExeOther);
    put(u"app/secret"_s, "s3cret", QFile::ReadOwner | QFile::WriteOwner);
    put(u"app/sub/data.txt"_s, QByteArray(100000, 'd'),
        QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    const QString remote =
        (kind == u"local"_s ? local.path() + u"/copy"_s : m_hostsDir + u"/h1/base/upload-test"_s);
    (void)t->run(ShellCommand(u"rm"_s).arg(u"-rf"_s).arg(remote).toString(), 10s);
    QList<QPair<qint64, qint64>> progress;
    const auto uploaded =
        t->upload(local.filePath(u"app"_s), remote, [&](qint64 sent, qint64 total) {
            progress.append({sent, total});
        });
    QVERIFY2(uploaded, qPrintable(uploaded ? QString() : uploaded.error().message));
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last(), (QPair<qint64, qint64>(100025, 100025)));
    for (qsizetype i = 1; i < progress.size(); ++i)
        QVERIFY(progress[i].first > progress[i - 1].first);
    const auto listing =
        t->run(ShellCommand(u"cd"_s)
                   .arg(remote)
                   .raw(u"&& stat -c '%a %s %n' run.sh secret sub/data.txt && ./run.sh"_s)
                   .toString(),
               10s);
    QVERIFY(listing);
    QCOMPARE(listing->out,
             QByteArray("755 19 run.sh\n600 6 secret\n644 100000 sub/data.txt\nrun\n"));
}

void TestTransport::nulInScriptIsRefused()
{
    LocalTransport t;
    const auto r = t.run(u"echo a"_s + QChar(0) + u"b"_s, 10s);
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::InvalidInput);
}

void TestTransport::everyHostAnswersFromItsOwnAddress()
{
    if (!haveHosts())
        QSKIP("needs root and the namespace test hosts");
    for (auto it = m_addresses.cbegin(); it != m_addresses.cend(); ++it) {
        SshTransport t(target(it.key()));
        const auto r = t.run(u"echo $SSH_CONNECTION"_s, 10s);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
        QCOMPARE(QString::fromUtf8(r->out).split(u' ').value(2), it.value());
    }
}

void TestTransport::unknownHostKeyIsRefusedUnlessAccepted()
{
    if (!haveHosts())
        QSKIP("needs root and the namespace test hosts");
    QTemporaryDir dir;
    SshTarget t = target(u"h1"_s);
    t.knownHosts = dir.filePath(u"known_hosts"_s);
    {
        SshTransport strict(t);
        const auto refused = strict.connect();
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::PermissionDenied);
        QVERIFY2(refused.error().message.contains(u"--accept-new-host-keys"_s),
                 qPrintable(refused.error().message));
        QVERIFY2(refused.error().message.contains(u"SHA256:"_s),
                 qPrintable(refused.error().message));
    }
    t.hostKeyPolicy = HostKeyPolicy::AcceptNew;
    SshTransport tofu(t);
    const auto accepted = tofu.run(u"true"_s, 10s);
    QVERIFY2(accepted, qPrintable(accepted ? QString() : accepted.error().message));
    QFile file(t.knownHosts);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains(m_addresses.value(u"h1"_s).toUtf8()));
    t.hostKeyPolicy = HostKeyPolicy::Strict; // now recorded: strict accepts it
    QVERIFY(SshTransport(t).connect());
}

void TestTransport::changedHostKeyIsAlwaysRefused()
{
    if (!haveHosts() || m_addresses.size() < 2)
        QSKIP("needs root and two namespace test hosts");
    QTemporaryDir dir;
    // known_hosts claims h1's address has h2's key: what a man in the middle looks like.
    QFile h2Key(m_hostsDir + u"/h2/ssh_host_ed25519_key.pub"_s);
    QVERIFY(h2Key.open(QIODevice::ReadOnly));
    const QList<QByteArray> parts = h2Key.readAll().split(' ');
    QFile known(dir.filePath(u"known_hosts"_s));
    QVERIFY(known.open(QIODevice::WriteOnly));
    known.write(m_addresses.value(u"h1"_s).toUtf8() + ' ' + parts.value(0) + ' ' + parts.value(1)
                + '\n');
    known.close();
    for (HostKeyPolicy policy : {HostKeyPolicy::Strict, HostKeyPolicy::AcceptNew}) {
        SshTarget t = target(u"h1"_s);
        t.knownHosts = known.fileName();
        t.hostKeyPolicy = policy;
        const auto refused = SshTransport(t).connect();
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(u"HOST KEY MISMATCH"_s)
                     && refused.error().message.contains(u"attack"_s),
                 qPrintable(refused.error().message));
    }
}

void TestTransport::wrongKeyIsDenied()
{
    if (!haveHosts())
        QSKIP("needs root and the namespace test hosts");
    QTemporaryDir dir;
    const QString key = dir.filePath(u"other_key"_s);
    QCOMPARE(QProcess::execute(u"ssh-keygen"_s,
                               {u"-q"_s, u"-t"_s, u"ed25519"_s, u"-N"_s, u""_s, u"-f"_s, key}),
             0);
    SshTarget t = target(u"h1"_s);
    t.keyFile = key;
    const auto denied = SshTransport(t).connect();
    QVERIFY(!denied);
    QCOMPARE(denied.error().code, ErrorCode::PermissionDenied);
    QVERIFY2(denied.error().message.contains(u"permission denied"_s),
             qPrintable(denied.error().message));
    QVERIFY(denied.error().message.contains(u"h1"_s));
}

void TestTransport::reconnectsOnceAfterSshdRestart()
{
    if (!haveHosts() || m_addresses.size() < 2)
        QSKIP("needs root and two namespace test hosts");
    SshTransport t(target(u"h2"_s));
    QVERIFY(t.run(u"true"_s, 10s));
    QCOMPARE(t.connectCount(), 1);
    hostsTool({u"kill-sshd"_s, u"h2"_s});
    hostsTool({u"start-sshd"_s, u"h2"_s});
    QTest::qWait(100); // let the reset of the old connection arrive
    const auto r = t.run(u"echo back"_s, 10s);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->out, QByteArray("back\n"));
    QCOMPARE(t.connectCount(), 2);
}

void TestTransport::unreachableHostFailsWithinTimeout()
{
    if (!haveHosts() || m_addresses.size() < 3)
        QSKIP("needs root and three namespace test hosts");
    hostsTool({u"link-down"_s, u"h3"_s});
    SshTarget t = target(u"h3"_s);
    t.connectTimeout = 1500ms;
    QElapsedTimer clock;
    clock.start();
    const auto r = SshTransport(t).run(u"true"_s, 10s);
    const qint64 took = clock.elapsed();
    hostsTool({u"link-up"_s, u"h3"_s});
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Unreachable);
    QVERIFY2(r.error().message.contains(u"h3"_s), qPrintable(r.error().message));
    QVERIFY2(took < 5000, qPrintable(u"took %1 ms"_s.arg(took)));
    QVERIFY(SshTransport(target(u"h3"_s)).run(u"true"_s, 10s)); // and back after link-up
}

namespace {

/** An SSH host on this machine's loopback at `port` (where no real sshd answers). */
Host loopbackSshHost(const QString &name, quint16 port)
{
    Host host;
    host.name = name;
    host.ip = u"127.0.0.1"_s;
    host.sshPort = port;
    host.sshUser = u"ops"_s;
    host.transport = TransportKind::Ssh;
    host.transportExplicit = true;
    return host;
}

/** A connect timeout short enough for a test to wait out. */
TransportSettings quickConnect()
{
    TransportSettings settings;
    settings.connectTimeout = 1500ms;
    return settings;
}

} // namespace

void TestTransport::workQueuedBehindAFailingConnectFailsWithIt()
{
    // A host that takes TCP connections and never says a word (a hung sshd): each connect waits
    // out its timeout. Every Orchestrator of a process shares a host's worker, so work queued
    // behind a failing attempt gets its answer instead of a timeout of its own each.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    HostWorker worker(loopbackSshHost(u"silent"_s, silent.serverPort()), quickConnect());
    const auto attempt = [](Transport &t) { return t.run(u"true"_s, 10s); };
    QElapsedTimer clock;
    clock.start();
    auto first = worker.submit<Result<CommandResult>>(attempt);
    auto second = worker.submit<Result<CommandResult>>(attempt);
    const Result<CommandResult> a = first.result();
    const Result<CommandResult> b = second.result();
    const qint64 both = clock.elapsed();
    QVERIFY(!a && !b);
    QCOMPARE(b.error().message, a.error().message);
    QVERIFY2(both < 2800, qPrintable(u"two queued jobs took %1 ms: two timeouts"_s.arg(both)));
    // The next step of the same operation, moments later, gets that answer at once too...
    clock.restart();
    const auto next = worker.runScript(u"true"_s, 10s);
    QVERIFY(!next);
    QCOMPARE(next.error().message, a.error().message);
    QVERIFY2(clock.elapsed() < 500, qPrintable(u"%1 ms: a timeout again"_s.arg(clock.elapsed())));
    // ...and work after that moment tries again (the host may be back).
    QTest::qWait(3100);
    clock.restart();
    QVERIFY(!worker.runScript(u"true"_s, 10s));
    QVERIFY2(clock.elapsed() >= 1000, qPrintable(u"%1 ms: not tried again"_s.arg(clock.elapsed())));
}

// A connection refused once in the middle of a job (sshd restarting) is not the answer for the
// rest of that job: its next step connects again.
void TestTransport::aFailureInTheMiddleOfAJobIsNotItsAnswer()
{
    quint16 port = 0;
    {
        QTcpServer probe; // a free port, closed again: connections to it are refused
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    }
    HostWorker worker(loopbackSshHost(u"restarting"_s, port), quickConnect());
    auto job = worker.submit<qint64>([port](Transport &t) -> qint64 {
        if (t.run(u"true"_s, 10s)) // refused: nobody listens
            return -1;
        // Something listens now but never says a word: a real second try waits for its banner.
        QTcpServer silent;
        if (!silent.listen(QHostAddress::LocalHost, port))
            return -2;
        QElapsedTimer clock;
        clock.start();
        if (t.run(u"true"_s, 10s))
            return -3;
        return clock.elapsed();
    });
    const qint64 second = job.result();
    QVERIFY2(second >= 1000,
             qPrintable(u"the second step took %1 ms: not tried again"_s.arg(second)));
}

QString TestTransport::bigFile()
{
    if (!m_bigDir) {
        m_bigDir = std::make_unique<QTemporaryDir>();
        QFile random(u"/dev/urandom"_s);
        QFile big(m_bigDir->filePath(u"big.bin"_s));
        if (!random.open(QIODevice::ReadOnly) || !big.open(QIODevice::WriteOnly))
            return {};
        for (int mb = 0; mb < 150; ++mb)
            big.write(random.read(1024 * 1024));
    }
    return m_bigDir->filePath(u"big.bin"_s);
}

void TestTransport::stalledUploadFailsAndTheNextWorks_data()
{
    QTest::addColumn<bool>("withoutSftp");
    QTest::addRow("sftp") << false;
    QTest::addRow("shell") << true;
}

void TestTransport::stalledUploadFailsAndTheNextWorks()
{
    QFETCH(bool, withoutSftp);
    if (!haveHosts() || m_addresses.size() < 4)
        QSKIP("needs root and four namespace test hosts");
    const QString host = u"h4"_s;
    const QString big = bigFile();
    QCOMPARE(QFileInfo(big).size(), 150 * 1024 * 1024);
    const QString remote = m_hostsDir + u"/h4/base/stall-test"_s;
    QDir(remote).removeRecursively();
    QVERIFY(QDir().mkpath(remote));
    if (withoutSftp)
        hostsTool({u"no-sftp"_s, host});

    // The transport lives on a thread of its own, as on a host worker; this thread pulls the
    // link from under its upload and puts it back.
    std::atomic<qint64> sent{0};
    std::atomic<bool> stalled{false};
    std::atomic<bool> linkBack{false};
    Result<void> stalledUpload;
    qint64 stalledAfterMs = 0;
    Result<void> nextUpload;
    std::optional<Result<CommandResult>> nextRun;
    int connects = 0;
    std::unique_ptr<QThread> worker(QThread::create([&] {
        SshTarget t = target(host);
        t.stallTimeout = 5s;
        SshTransport ssh(t);
        stalledUpload =
            ssh.upload(big, remote + u"/big.bin"_s, [&](qint64 done, qint64) { sent = done; });
        stalled = true;
        while (!linkBack)
            QThread::msleep(20);
        nextUpload = ssh.upload(m_hostsDir + u"/id_ed25519.pub"_s, remote + u"/small"_s);
        nextRun = ssh.run(ShellCommand(u"cat"_s).arg(remote + u"/small"_s).toString(), 10s);
        connects = ssh.connectCount();
    }));
    const auto cleanup = qScopeGuard([&] {
        m_hosts.tool({u"link-up"_s, host});
        linkBack = true;
        worker->wait(120000);
        if (withoutSftp)
            m_hosts.tool({u"sftp"_s, host});
        QDir(remote).removeRecursively();
    });
    worker->start();
    QTRY_VERIFY_WITH_TIMEOUT(sent >= 8 * 1024 * 1024 || stalled, 60000);
    QVERIFY2(!stalled, qPrintable(stalledUpload ? u"the upload ended before the link went down"_s
                                                : stalledUpload.error().message));
    hostsTool({u"link-down"_s, host});
    QElapsedTimer clock;
    clock.start();
    QTRY_VERIFY_WITH_TIMEOUT(stalled, 90000);
    stalledAfterMs = clock.elapsed();
    hostsTool({u"link-up"_s, host});
    linkBack = true;
    QVERIFY(worker->wait(60000));

    QVERIFY(!stalledUpload);
    qInfo("failed %.1f s after the link went down, %lld of %d MB sent: %s",
          double(stalledAfterMs) / 1000.0, qlonglong(sent / (1024 * 1024)), 150,
          qPrintable(stalledUpload.error().message));
    QCOMPARE(stalledUpload.error().code, ErrorCode::Unreachable);
    QVERIFY2(stalledUpload.error().message.contains(
                 u"h4 (%1:22): upload stalled: no progress for 5 s (link down?)"_s.arg(
                     m_addresses.value(host))),
             qPrintable(stalledUpload.error().message));
    QVERIFY2(stalledAfterMs < 20000, qPrintable(u"took %1 ms"_s.arg(stalledAfterMs)));
    QVERIFY(QFileInfo(remote + u"/big.bin"_s).size() < 150 * 1024 * 1024);

    QVERIFY2(nextUpload, qPrintable(nextUpload ? QString() : nextUpload.error().message));
    QVERIFY(nextRun.has_value());
    QVERIFY2(*nextRun, qPrintable(*nextRun ? QString() : nextRun->error().message));
    QFile key(m_hostsDir + u"/id_ed25519.pub"_s);
    QVERIFY(key.open(QIODevice::ReadOnly));
    QCOMPARE((*nextRun)->out, key.readAll());
    QCOMPARE(connects, 2); // the stalled session was dropped, not reused
}

void TestTransport::runOnADeadLinkEndsByItsDeadline()
{
    if (!haveHosts() || m_addresses.size() < 4)
        QSKIP("needs root and four namespace test hosts");
    const QString host = u"h4"_s;
    SshTarget t = target(host);
    t.stallTimeout = 5s;
    const auto linkUp = qScopeGuard([&] { m_hosts.tool({u"link-up"_s, host}); });
    const auto deadLinkRun = [&](const QString &script, std::chrono::milliseconds timeout) {
        SshTransport ssh(t);
        QVERIFY(ssh.run(u"true"_s, 10s));
        hostsTool({u"link-down"_s, host});
        QElapsedTimer clock;
        clock.start();
        const auto r = ssh.run(script, timeout);
        const qint64 took = clock.elapsed();
        hostsTool({u"link-up"_s, host});
        qInfo("script of %lld bytes ended after %lld ms (deadline %lld ms): %s",
              qlonglong(script.size()), qlonglong(took), qlonglong(timeout.count()),
              qPrintable(r ? u"ok"_s : r.error().message));
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::Timeout);
        QVERIFY2(took < timeout.count() + 1500, qPrintable(u"took %1 ms"_s.arg(took)));
    };
    // Written at once; the answer never comes.
    deadLinkRun(u"echo never"_s, 3s);
    // Bigger than the channel's window: the write itself waits for a host that is gone.
    deadLinkRun(u"# "_s + QString(4 * 1024 * 1024, u'x') + u"\necho never"_s, 4s);
    SshTransport back(t);
    QVERIFY(back.run(u"true"_s, 10s));
}

void TestTransport::uploadWithoutSftpGoesThroughTheShell()
{
    if (!haveHosts() || m_addresses.size() < 5)
        QSKIP("needs root and five namespace test hosts");
    const QString host = u"h5"_s;
    hostsTool({u"no-sftp"_s, host});
    const auto restore = qScopeGuard([&] { m_hosts.tool({u"sftp"_s, host}); });
    const QString keyFile = m_hostsDir + u"/id_ed25519"_s;
    const QString knownHosts = u"UserKnownHostsFile="_s + m_hostsDir + u"/known_hosts"_s;
    // OpenSSH's own client finds no SFTP there either.
    QVERIFY(QProcess::execute(u"sftp"_s, {u"-q"_s, u"-b"_s, u"/dev/null"_s, u"-i"_s, keyFile,
                                          u"-o"_s, knownHosts, u"-o"_s, u"BatchMode=yes"_s,
                                          u"root@"_s + m_addresses.value(host)})
            != 0);

    QTemporaryDir local;
    const QString app = local.filePath(u"app"_s);
    QDir(app).mkpath(u"with space/sub"_s);
    QDir(app).mkpath(u"private"_s);
    const auto put = [&](const QString &rel, const QByteArray &data, QFile::Permissions perms) {
        QFile f(app + u'/' + rel);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
        f.close();
        QVERIFY(f.setPermissions(perms));
    };
    const auto rw = QFile::ReadOwner | QFile::WriteOwner;
    QByteArray blob; // every byte value, NUL and CR/LF too, and no newline at the end
    for (int i = 0; i < 300000; ++i)
        blob += char((i * 7 + i / 256) % 256);
    blob += 'z';
    QFile random(u"/dev/urandom"_s);
    QVERIFY(random.open(QIODevice::ReadOnly));
    put(u"run.sh"_s, "#!/bin/sh\necho run\n",
        rw | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther
            | QFile::ExeOther);
    put(u"with space/it's a file.txt"_s, "quoted name\n", rw | QFile::ReadGroup);
    put(u"with space/sub/blob.bin"_s, blob, rw);
    put(u"private/big.dat"_s, random.read(1536 * 1024), rw | QFile::ReadGroup | QFile::ReadOther);
    put(u"private/empty"_s, QByteArray(), rw);
    put(u"ünï cødé"_s, "utf-8 name", rw);
    QVERIFY(QFile::setPermissions(app + u"/private"_s, rw | QFile::ExeOwner));

    const QString remote = m_hostsDir + u"/h5/base/no-sftp-test"_s;
    QDir(remote).removeRecursively();
    const auto sftpRequests = [&] {
        QFile log(m_hostsDir + u"/h5/sshd.log"_s);
        return log.open(QIODevice::ReadOnly) ? log.readAll().count("subsystem request for sftp")
                                             : -1;
    };
    const qsizetype requestsBefore = sftpRequests();
    SshTarget t = target(host);
    t.stallTimeout = 5s;
    SshTransport ssh(t);
    QElapsedTimer clock;
    clock.start();
    const auto uploaded = ssh.upload(app, remote);
    QVERIFY2(uploaded, qPrintable(uploaded ? QString() : uploaded.error().message));
    qInfo("tree of %lld bytes through the shell in %lld ms",
          qlonglong(blob.size() + 1536 * 1024 + 40), qlonglong(clock.elapsed()));

    // Content and modes as the host's own tools see them, over OpenSSH, against this machine's.
    const QString listing = uR"SH(find . -print | LC_ALL=C sort | while IFS= read -r f; do
  stat -c '%a %F' "$f"; if [ -f "$f" ]; then sha256sum < "$f"; fi; printf '%s\n' "$f"; done)SH"_s;
    QProcess here;
    here.setWorkingDirectory(app);
    here.start(u"sh"_s, {u"-c"_s, listing});
    QVERIFY(here.waitForFinished(30000));
    const QByteArray expected = here.readAllStandardOutput();
    QVERIFY(expected.contains("700 ") && expected.contains("./with space/it's a file.txt"));
    const auto there =
        m_hosts.ssh(host, ShellCommand(u"cd"_s).arg(remote).raw(u"&& "_s).toString() + listing);
    QVERIFY(there.has_value());
    QCOMPARE(*there, expected);
    QVERIFY2(sftpRequests() == requestsBefore + 1, "SFTP was not tried once");

    // A second upload on the same session goes straight to the shell; a single file too.
    const auto single = ssh.upload(app + u"/with space/sub/blob.bin"_s, remote + u"/single"_s);
    QVERIFY2(single, qPrintable(single ? QString() : single.error().message));
    QCOMPARE(sftpRequests(), requestsBefore + 1);
    const auto copied = m_hosts.ssh(
        host,
        ShellCommand(u"stat"_s).arg(u"-c"_s).arg(u"%a %s"_s).arg(remote + u"/single"_s).toString()
            + u"; sha256sum < "_s + ShellCommand::quote(remote + u"/single"_s));
    QVERIFY(copied.has_value());
    QCOMPARE(*copied, "600 " + QByteArray::number(blob.size()) + '\n'
                          + QCryptographicHash::hash(blob, QCryptographicHash::Sha256).toHex()
                          + "  -\n");
    QCOMPARE(ssh.connectCount(), 1);
    QDir(remote).removeRecursively();
}

QTEST_GUILESS_MAIN(TestTransport)
#include "TestTransport.moc"
