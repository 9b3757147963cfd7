// SPDX-License-Identifier: Apache-2.0
// The host lock is one implementation (the prelude's pt_lock/pt_unlock) that deploys and the
// healer's prune share. Run through the local transport in a temp dir: a live prune is never
// judged stale by a deploy, neither ever removes the other's lock, and both racing end clean.
#include "core/deploy/RemoteScripts.h"
#include "core/heal/HealScripts.h"
#include "core/registry/Host.h"
#include "core/transport/LocalTransport.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent>

using namespace Portoser;
using namespace Qt::Literals::StringLiterals;

class TestHostLock : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void livePruneLockIsNotTakenForStale();
    void pruneSkipsADeployAndLeavesItsLock();
    void unlockKeepsALockSomeoneElseTook();
    void deploysAndPrunesRacing();

private:
    QString lockDir() const { return m_dir.path() + u"/.portoser/svc/lock"_s; }
    QString read(const QString &file) const
    {
        QFile f(lockDir() + u'/' + file);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()).trimmed() : QString();
    }
    CommandResult run(const QString &script)
    {
        auto result = m_transport.run(script, std::chrono::seconds(30));
        if (!result)
            qFatal("%s", qPrintable(result.error().message));
        return *result;
    }
    QString prepare(const QString &holder)
    {
        return RemoteScripts::prepare(m_host, u"svc"_s, u"r1"_s, holder,
                                      RemoteScripts::StaleHostLockSeconds, false, false);
    }

    QTemporaryDir m_dir;
    Host m_host;
    LocalTransport m_transport;
};

void TestHostLock::init()
{
    QVERIFY(m_dir.isValid());
    QDir(m_dir.path()).removeRecursively();
    QVERIFY(QDir().mkpath(m_dir.path() + u"/.portoser/svc/releases/r1"_s));
    QVERIFY(QFile::link(u"releases/r1"_s, m_dir.path() + u"/.portoser/svc/current"_s));
    m_host.name = u"local"_s;
    m_host.path = m_dir.path();
}

void TestHostLock::livePruneLockIsNotTakenForStale()
{
    // The prune holds the lock (taken just now, as the prelude writes it: holder and since).
    const QString script = RemoteScripts::prelude() + u"svc=%1/.portoser/svc\n"_s.arg(m_dir.path())
                           + u"pt_lock 'healer-prune coord=x pid=1' %1 900\n"_s.arg(
                               QDateTime::currentSecsSinceEpoch());
    QCOMPARE(run(script).exitCode, 0);
    QCOMPARE(read(u"holder"_s), u"healer-prune coord=x pid=1"_s);
    QVERIFY(!read(u"since"_s).isEmpty());
    // A deploy of the same coordinator must wait for it, not break it.
    const CommandResult deploy = run(prepare(u"coord=x pid=2"_s));
    QCOMPARE(deploy.exitCode, 75);
    QVERIFY(!deploy.out.contains("broke a stale host lock"));
    QCOMPARE(read(u"holder"_s), u"healer-prune coord=x pid=1"_s);
}

void TestHostLock::pruneSkipsADeployAndLeavesItsLock()
{
    QCOMPARE(run(prepare(u"coord=x pid=2"_s)).exitCode, 0);
    QVERIFY(QDir(m_dir.path() + u"/.portoser/svc/releases/r1"_s).exists());
    const CommandResult prune = run(HealScripts::prune(m_host, 1 << 20));
    QCOMPARE(prune.exitCode, 0);
    QVERIFY2(prune.out.contains("skipped=svc"), prune.out.constData());
    QCOMPARE(read(u"holder"_s), u"coord=x pid=2"_s); // still the deploy's
    QVERIFY(QDir(m_dir.path() + u"/.portoser/svc/releases/r1"_s).exists());
    QCOMPARE(run(RemoteScripts::unlock(m_host, u"svc"_s, u"coord=x pid=2"_s)).exitCode, 0);
    QVERIFY(!QDir(lockDir()).exists());
}

void TestHostLock::unlockKeepsALockSomeoneElseTook()
{
    QCOMPARE(run(prepare(u"coord=a pid=1"_s)).exitCode, 0);
    // Another coordinator broke it as stale (its clock far ahead) and holds it now.
    const QString other =
        RemoteScripts::prelude()
        + u"svc=%1/.portoser/svc\npt_lock 'coord=b pid=9' %2 900\n"_s.arg(m_dir.path())
              .arg(QDateTime::currentSecsSinceEpoch() + 3600);
    const CommandResult broke = run(other);
    QCOMPARE(broke.exitCode, 0);
    QVERIFY(broke.out.contains("broke a stale host lock"));
    // The first holder's late unlock leaves the new holder's lock alone.
    QCOMPARE(run(RemoteScripts::unlock(m_host, u"svc"_s, u"coord=a pid=1"_s)).exitCode, 0);
    QCOMPARE(read(u"holder"_s), u"coord=b pid=9"_s);
}

void TestHostLock::deploysAndPrunesRacing()
{
    // Two shells (two transports, as a coordinator's deploy and its healer have) hammer the
    // same service's lock: nothing is ever judged stale, and nothing is left locked.
    const int rounds = 40;
    auto deploys = QtConcurrent::run([&] {
        LocalTransport t;
        QByteArray notes;
        for (int i = 0; i < rounds; ++i) {
            auto taken = t.run(prepare(u"coord=x pid=2"_s), std::chrono::seconds(30));
            if (taken && taken->exitCode == 0)
                (void)t.run(RemoteScripts::unlock(m_host, u"svc"_s, u"coord=x pid=2"_s),
                            std::chrono::seconds(30));
            if (taken)
                notes += taken->out;
        }
        return notes;
    });
    auto prunes = QtConcurrent::run([&] {
        LocalTransport t;
        QByteArray notes;
        for (int i = 0; i < rounds; ++i) {
            if (auto out = t.run(HealScripts::prune(m_host, 1 << 20), std::chrono::seconds(30)))
                notes += out->out;
        }
        return notes;
    });
    const QByteArray deployNotes = deploys.result();
    const QByteArray pruneNotes = prunes.result();
    QVERIFY2(!deployNotes.contains("broke a stale"), deployNotes.constData());
    QVERIFY2(!pruneNotes.contains("broke a stale"), pruneNotes.constData());
    QVERIFY(!QDir(lockDir()).exists());
    QVERIFY(QDir(m_dir.path() + u"/.portoser/svc/releases/r1"_s).exists()); // current: kept
}

QTEST_GUILESS_MAIN(TestHostLock)
#include "TestHostLock.moc"
