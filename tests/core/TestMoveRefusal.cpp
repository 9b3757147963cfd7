// SPDX-License-Identifier: Apache-2.0
// Where a service may not go, and why: what `move` refuses and a GUI drop will show.
#include "core/Orchestrator.h"
#include "tests/support/TempRegistry.h"

#include <QTest>

using namespace Portoser;
using namespace Portoser::Test;
using namespace Qt::Literals::StringLiterals;

class TestMoveRefusal : public QObject
{
    Q_OBJECT

private slots:
    void refusal_data();
    void refusal();
    void reportedArchFillsWhatTheRegistryLeavesOut();
    void hostUnreachableAtTheLastObservation();

private:
    /** Two hosts that the registry says nothing of but their address; `service` on box. */
    static CheckedRegistry boxAndPi(TempRegistry &temp, const QString &service);
};

CheckedRegistry TestMoveRefusal::boxAndPi(TempRegistry &temp, const QString &service)
{
    temp.writeRegistry(dedent(R"(
        hosts:
          box: {ip: 10.0.0.1, path: /srv}
          pi: {ip: 10.0.0.2, path: /srv}
        services:
        )") + "  " + service.toUtf8()
                       + '\n');
    return temp.check();
}

void TestMoveRefusal::refusal_data()
{
    QTest::addColumn<QString>("service");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("expected"); // empty: allowed
    QTest::addRow("process service to another arch") << "api"
                                                     << "mac"
                                                     << "";
    QTest::addRow("native service to another arch") << "db"
                                                    << "mac"
                                                    << "built for amd64-linux; mac is arm64-apple";
    QTest::addRow("native service to the same arch") << "db"
                                                     << "pi"
                                                     << "";
    QTest::addRow("port taken on target") << "api"
                                          << "pi"
                                          << "port 8080 is already used on pi by web";
    QTest::addRow("unknown host") << "api"
                                  << "nowhere"
                                  << "no host named nowhere";
    QTest::addRow("unknown service") << "ghost"
                                     << "pi"
                                     << "no service named \"ghost\"";
    QTest::addRow("already there") << "api"
                                   << "nuc"
                                   << "already runs on nuc";
    QTest::addRow("port taken on the same machine under another host name")
        << "cache"
        << "nuc2"
        << "port 5555 is already used on nuc2 by pg";
}

void TestMoveRefusal::refusal()
{
    QFETCH(QString, service);
    QFETCH(QString, host);
    QFETCH(QString, expected);
    TempRegistry temp;
    temp.writeRegistry(dedent(R"(
        hosts:
          nuc: {ip: 10.0.0.1, path: /srv, arch: amd64-linux}
          pi: {ip: 10.0.0.2, path: /srv, arch: amd64-linux}
          mac: {ip: 10.0.0.3, path: /srv, arch: arm64-apple}
          nuc2: {ip: 10.0.0.3, path: /srv2, arch: arm64-apple}
        services:
          api: {current_host: nuc, deployment_type: process, command: ./api, port: 8080}
          db: {current_host: nuc, deployment_type: native, command: ./db, port: 5432}
          web: {current_host: pi, deployment_type: process, command: ./web, port: 8080}
          pg: {current_host: mac, deployment_type: process, command: ./pg, port: 5555}
          cache: {current_host: nuc, deployment_type: process, command: ./cache, port: 5555}
        )"));
    const CheckedRegistry checked = temp.check();
    QVERIFY2(checked.isValid(), qPrintable(describe(checked.issues)));
    const auto refusal = Orchestrator().moveRefusal(checked.registry, service, host);
    if (expected.isEmpty()) {
        QVERIFY2(!refusal, qPrintable(refusal.value_or(QString())));
    } else {
        QVERIFY(refusal);
        QVERIFY2(refusal->contains(expected), qPrintable(*refusal));
    }
}

void TestMoveRefusal::reportedArchFillsWhatTheRegistryLeavesOut()
{
    TempRegistry temp;
    const CheckedRegistry checked =
        boxAndPi(temp, u"db: {current_host: box, deployment_type: native, command: ./db}"_s);
    QVERIFY2(checked.isValid(), qPrintable(describe(checked.issues)));
    const Orchestrator orchestrator;
    QVERIFY(!orchestrator.moveRefusal(checked.registry, u"db"_s, u"pi"_s)); // nothing known
    const auto reported = [](const QString &host) {
        return host == u"pi"_s ? u"arm64-linux"_s : u"amd64-linux"_s;
    };
    const auto refusal = orchestrator.moveRefusal(checked.registry, u"db"_s, u"pi"_s, reported);
    QVERIFY(refusal);
    QVERIFY2(refusal->contains(u"built for amd64-linux; pi is arm64-linux"_s),
             qPrintable(*refusal));
}

void TestMoveRefusal::hostUnreachableAtTheLastObservation()
{
    TempRegistry temp;
    const CheckedRegistry checked =
        boxAndPi(temp, u"api: {current_host: box, deployment_type: process, command: ./api}"_s);
    QVERIFY2(checked.isValid(), qPrintable(describe(checked.issues)));
    HostState pi;
    pi.host = u"pi"_s;
    pi.reachable = true;
    QVERIFY(!Orchestrator::moveRefusal(checked.registry, u"api"_s, u"pi"_s, {}, {{u"pi"_s, pi}}));
    pi.reachable = false;
    pi.error = u"connection refused"_s;
    const auto refusal =
        Orchestrator::moveRefusal(checked.registry, u"api"_s, u"pi"_s, {}, {{u"pi"_s, pi}});
    QVERIFY(refusal);
    QCOMPARE(*refusal, u"pi did not answer the last observation (connection refused)"_s);
}

QTEST_GUILESS_MAIN(TestMoveRefusal)
#include "TestMoveRefusal.moc"
