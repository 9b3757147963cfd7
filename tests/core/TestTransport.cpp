// SPDX-License-Identifier: Apache-2.0
// The Transport contract, for the local shell and for SSH to the namespace test hosts, plus what
// only SSH has: host keys, authentication, reconnects and unreachable hosts.
#include "core/transport/LocalTransport.h"
#include "core/transport/ShellCommand.h"
#include "core/transport/SshTransport.h"
#include "tests/support/TestHosts.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

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

private:
    void transports();
    std::unique_ptr<Transport> make(const QString &kind) const;
    SshTarget target(const QString &host) const;
    void hostsTool(const QStringList &args) const { QVERIFY(m_hosts.tool(args)); }
    bool haveHosts() const { return !m_hosts.isEmpty(); }

    Test::TestHosts m_hosts;
    QString m_hostsDir;
    QMap<QString, QString> m_addresses; // h1 -> 10.231.1.2
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
    const QStringList evil = {u"x; rm -rf /"_s, u"$(touch /tmp/portoser-pwned)"_s,
                              u"`id`"_s,        u"a|b"_s,
                              u"a && b"_s,      u"../../etc"_s,
                              u"line\nbreak"_s, u"it's"_s,
                              u"\"dq\""_s,      u"$HOME ${IFS} *"_s,
                              u"-n"_s,          u""_s,
                              u"ünïcødé"_s};
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
    const auto uploaded = t->upload(local.filePath(u"app"_s), remote);
    QVERIFY2(uploaded, qPrintable(uploaded ? QString() : uploaded.error().message));
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

QTEST_GUILESS_MAIN(TestTransport)
#include "TestTransport.moc"
