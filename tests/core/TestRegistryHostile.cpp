// SPDX-License-Identifier: Apache-2.0
// What fuzzing the registry loader under ASan/UBSan found, each as a regression case: deep
// dependency chains (stack overflow), many unknown dependencies (quadratic), includes of special
// files (a FIFO hangs, /dev/zero never ends), alias bombs, and a posted registry reaching the
// server's environment and files.
#include "core/registry/DependencyGraph.h"
#include "core/registry/RegistryCheck.h"
#include "core/registry/RegistryEditor.h"
#include "tests/support/TempRegistry.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Portoser;
using namespace Portoser::Test;
using namespace Qt::Literals::StringLiterals;

class TestRegistryHostile : public QObject
{
    Q_OBJECT

private slots:
    void deepDependencyChainDoesNotOverflow();
    void manyUnknownDependenciesStayLinear();
    void includesOnlyRegularFilesOfBoundedSize();
    void aliasBombIsRefused();
    void postedRegistryIsSandboxed();
    void editsFollowAFileThatMovedOn();
};

namespace {

const QByteArray Hosts = "hosts:\n  a: {ip: 10.0.0.1, path: /srv}\n";

CheckedRegistry check(const QByteArray &yaml, const QString &path = u"registry.yml"_s)
{
    return RegistryCheck::text(yaml, path, [](const QString &) { return std::nullopt; });
}

} // namespace

void TestRegistryHostile::deepDependencyChainDoesNotOverflow()
{
    // s1 -> s2 -> ... -> s30000, and the last back to the first: one cycle of 30,000.
    constexpr int N = 30000;
    QByteArray yaml = Hosts + "services:\n";
    for (int i = 1; i <= N; ++i)
        yaml += "  s" + QByteArray::number(i)
                + ": {current_host: a, deployment_type: process, "
                  "command: run, dependencies: [s"
                + QByteArray::number(i == N ? 1 : i + 1) + "]}\n";
    QElapsedTimer clock;
    clock.start();
    const CheckedRegistry checked = check(yaml);
    QVERIFY(!checked.isValid());
    QVERIFY2(describe(checked.issues).contains(u"cycle"_s),
             qPrintable(describe(checked.issues).left(300)));
    const DependencyGraph graph(checked.registry);
    QCOMPARE(graph.cycles().size(), 1);
    QCOMPARE(graph.cycles().first().size(), N + 1);
    QCOMPARE(graph.closure({u"s1"_s}).size(), N);
    qInfo("a chain of %d services checked in %lld ms", N, clock.elapsed());
}

void TestRegistryHostile::manyUnknownDependenciesStayLinear()
{
    constexpr int N = 20000;
    QByteArray yaml = Hosts
                      + "services:\n  x: {current_host: a, deployment_type: process, "
                        "command: run, dependencies: [";
    for (int i = 0; i < N; ++i)
        yaml += (i ? ", u" : "u") + QByteArray::number(i);
    yaml += "]}\n";
    for (int i = 0; i < N; ++i)
        yaml += "  k" + QByteArray::number(i)
                + ": {current_host: a, deployment_type: process, command: run}\n";
    QElapsedTimer clock;
    clock.start();
    const CheckedRegistry checked = check(yaml);
    const qint64 took = clock.elapsed();
    QVERIFY(!checked.isValid());
    QVERIFY2(took < 20000, qPrintable(u"%1 ms"_s.arg(took))); // was 90 s
    qInfo("%d unknown dependencies among %d services checked in %lld ms", N, N, took);
}

void TestRegistryHostile::includesOnlyRegularFilesOfBoundedSize()
{
    QTemporaryDir dir;
    const QString fifo = dir.filePath(u"pipe.yml"_s);
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    QVERIFY(QDir(dir.path()).mkdir(u"folder.yml"_s));
    QFile big(dir.filePath(u"big.yml"_s));
    QVERIFY(big.open(QIODevice::WriteOnly));
    QVERIFY(big.resize(RegistryLoader::MaxFileBytes + 1));
    big.close();
    for (const QString &target :
         {fifo, u"/dev/zero"_s, dir.filePath(u"folder.yml"_s), big.fileName()}) {
        QFile registry(dir.filePath(u"registry.yml"_s));
        QVERIFY(registry.open(QIODevice::WriteOnly | QIODevice::Truncate));
        registry.write("include: " + target.toUtf8() + "\n" + Hosts + "services: {}\n");
        registry.close();
        QElapsedTimer clock;
        clock.start();
        const CheckedRegistry checked =
            RegistryCheck::file(registry.fileName(), [](const QString &) { return std::nullopt; });
        QVERIFY2(clock.elapsed() < 5000, qPrintable(target));
        const QString said = describe(checked.issues);
        QVERIFY2(said.contains(u"not a regular file"_s) || said.contains(u"larger than"_s),
                 qPrintable(target + u": "_s + said));
    }
}

void TestRegistryHostile::aliasBombIsRefused()
{
    // `roles: *r` 21,000 times, r a 5,000-item list: 105 million nodes from 1 MB of text.
    QByteArray yaml = "x: &r [";
    for (int i = 0; i < 5000; ++i)
        yaml += (i ? ",a" : "a");
    yaml += "]\nhosts:\n";
    for (int i = 0; i < 21000; ++i)
        yaml += "  h" + QByteArray::number(i) + ": {ip: 10.0.0.1, path: /srv, roles: *r}\n";
    QElapsedTimer clock;
    clock.start();
    const CheckedRegistry checked = check(yaml);
    QVERIFY(!checked.isValid());
    QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY2(describe(checked.issues).contains(u"too large"_s, Qt::CaseInsensitive)
                 || describe(checked.issues).contains(u"nodes"_s),
             qPrintable(describe(checked.issues).left(300)));
}

void TestRegistryHostile::postedRegistryIsSandboxed()
{
    qputenv("PORTOSER_PROBE_PASSPHRASE", "the-secrets-passphrase");
    QTemporaryDir dir;
    QFile leak(dir.filePath(u"leak.yml"_s));
    QVERIFY(leak.open(QIODevice::WriteOnly));
    leak.write("hosts:\n  b: {ip: 10.0.0.2, path: LEAKED-LINE}\n");
    leak.close();
    const QByteArray yaml = "include: " + leak.fileName().toUtf8() + "\n" + Hosts
                            + "services:\n  s: {current_host: a, deployment_type: process, "
                              "command: run, port: \"${PORTOSER_PROBE_PASSPHRASE}\"}\n";
    const CheckedRegistry posted = RegistryCheck::posted(yaml, u"posted-registry.yml"_s);
    const QString said = describe(posted.issues);
    QVERIFY2(!said.contains(u"the-secrets-passphrase"_s), qPrintable(said));
    QVERIFY2(!said.contains(u"LEAKED-LINE"_s), qPrintable(said));
    QVERIFY2(said.contains(u"not followed"_s), qPrintable(said));
    // The same text read as this machine's own registry does see both (so the test can fail).
    const CheckedRegistry own = RegistryCheck::text(yaml, dir.filePath(u"registry.yml"_s),
                                                    Interpolator::processEnvironment());
    QVERIFY(describe(own.issues).contains(u"the-secrets-passphrase"_s));
}

void TestRegistryHostile::editsFollowAFileThatMovedOn()
{
    // migrate-all loads the registry, reads env files over SSH, then edits: meanwhile an operator
    // adds lines above, and its own edit of the first service moves the second one down.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"registry.yml"_s);
    const auto write = [&](const QByteArray &text) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
    };
    const QByteArray services = "services:\n"
                                "  one:\n    current_host: a\n    deployment_type: process\n"
                                "    command: run\n    env_file: one.env\n"
                                "  two:\n    current_host: a\n    deployment_type: process\n"
                                "    command: run\n    env_file: two.env\n";
    write(Hosts + services);
    const auto none = [](const QString &) -> std::optional<QString> { return std::nullopt; };
    const CheckedRegistry loaded = RegistryCheck::file(path, none);
    QVERIFY2(loaded.isValid(), qPrintable(describe(loaded.issues)));
    write("# a comment the operator added\n# and another\n" + Hosts + services);
    for (const QString &name : {u"one"_s, u"two"_s}) {
        auto edited = RegistryEditor::addSecrets(
            *loaded.registry.service(name), {{u"TOKEN"_s, u"services/%1#TOKEN"_s.arg(name)}}, true);
        QVERIFY2(edited, edited ? "" : qPrintable(edited.error().message));
    }
    const CheckedRegistry after = RegistryCheck::file(path, none);
    QVERIFY2(after.isValid(), qPrintable(describe(after.issues)));
    for (const QString &name : {u"one"_s, u"two"_s}) {
        const Service *s = after.registry.service(name);
        QCOMPARE(s->secrets.value(u"TOKEN"_s), u"services/%1#TOKEN"_s.arg(name));
        QVERIFY(s->envFile.isEmpty());
    }
    // A service that is gone is refused with the reason, and the file is left as it is.
    write(Hosts + "services: {}\n");
    const auto gone =
        RegistryEditor::addSecrets(*loaded.registry.service(u"one"_s), {{u"K"_s, u"x#K"_s}}, false);
    QVERIFY(!gone);
    QVERIFY2(gone.error().message.contains(u"no longer defines"_s),
             qPrintable(gone.error().message));
}

QTEST_GUILESS_MAIN(TestRegistryHostile)
#include "TestRegistryHostile.moc"
