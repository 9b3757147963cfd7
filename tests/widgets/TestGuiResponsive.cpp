// SPDX-License-Identifier: Apache-2.0
// Nothing blocks the GUI thread: while a deploy to a host that never answers waits for its SSH
// connect timeout, the window's event loop keeps turning, and the deploy ends as a failure that
// names the host; and a deploy elsewhere never queues behind an observation stuck on that host.
#include "core/Orchestrator.h"
#include "widgets/DeployPanel.h"
#include "widgets/HistoryModel.h"
#include "widgets/HistoryPage.h"
#include "widgets/MainWindow.h"
#include "widgets/StagedMoves.h"
#include "widgets/TopologyView.h"

#include <QElapsedTimer>
#include <QFile>
#include <QPushButton>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

using namespace Portoser;
using namespace Qt::Literals::StringLiterals;

class TestGuiResponsive : public QObject
{
    Q_OBJECT

private slots:
    void eventLoopTurnsWhileADeployTimesOut();
    void deployDoesNotWaitForAnObservationOfAHungHost();
    void historyLoadsWhileADeployWaitsOnAHost();

private:
    /** alpha (local) runs web; lost takes TCP connections and never answers (a hung sshd). */
    QString writeRegistry(const QTemporaryDir &dir, const QTcpServer &silent);
    /** Once the window shows `web`, stages its move from alpha to lost (or, with `toLost` false,
     *  a redeploy on alpha) and presses Deploy. */
    static void deploy(MainWindow &window, bool toLost);
};

void TestGuiResponsive::deploy(MainWindow &window, bool toLost)
{
    QTRY_VERIFY(!window.topology()->chipPosition(u"web"_s).isNull());
    if (toLost)
        window.stagedMoves()->stage({u"web"_s, u"alpha"_s, u"lost"_s});
    else
        window.stagedMoves()->markRedeploy(u"web"_s, u"alpha"_s);
    auto *button = window.deployPanel()->findChild<QPushButton *>(u"deployButton"_s);
    QTRY_VERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
}

QString TestGuiResponsive::writeRegistry(const QTemporaryDir &dir, const QTcpServer &silent)
{
    qputenv("PORTOSER_DB", dir.filePath(u"portoser.db"_s).toUtf8());
    qputenv("PORTOSER_HOME", dir.filePath(u"home"_s).toUtf8());
    qputenv("XDG_CONFIG_HOME", dir.filePath(u"config"_s).toUtf8());
    QFile file(dir.filePath(u"registry.yml"_s));
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write("hosts:\n  alpha: {ip: 127.0.0.1, transport: local, path: " + dir.path().toUtf8()
               + "/alpha, arch: amd64-linux}\n"
                 "  lost: {ip: 127.0.0.1, transport: ssh, ssh_port: "
               + QByteArray::number(silent.serverPort())
               + ", ssh_user: ops, path: /srv, arch: amd64-linux}\n"
                 "services:\n  web:\n    current_host: alpha\n    deployment_type: process\n"
                 "    command: sleep 300\n    stop_timeout: 1\n");
    return file.fileName();
}

void TestGuiResponsive::eventLoopTurnsWhileADeployTimesOut()
{
    QTemporaryDir dir;
    // The SSH handshake with `lost` waits for its banner until the connect timeout.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    QVERIFY(!writeRegistry(dir, silent).isEmpty());

    MainWindow window(dir.filePath(u"registry.yml"_s));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    deploy(window, true);
    QVERIFY(window.deployPanel()->isBusy());

    // A 10 ms timer on the GUI thread: over 2 s of waiting on SSH it fires ~200 times (a loop
    // blocked by the handshake would fire none); at least half, as CI shares 2 cores.
    int ticks = 0;
    QTimer timer;
    timer.setInterval(10);
    connect(&timer, &QTimer::timeout, [&ticks] { ++ticks; });
    timer.start();
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 2000)
        QTest::qWait(5);
    timer.stop();
    QVERIFY(window.deployPanel()->isBusy()); // still waiting for the host...
    QVERIFY2(ticks >= 100, qPrintable(u"the event loop turned only %1 times in 2 s"_s.arg(ticks)));

    // ...which ends as a failure naming it, and nothing was staged away unseen.
    auto *results = window.deployPanel()->findChild<QTreeWidget *>(u"deployResults"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!window.deployPanel()->isBusy(), 60000);
    QVERIFY(results->topLevelItemCount() > 0);
    const QTreeWidgetItem *first = results->topLevelItem(0);
    const QString shown = first->text(0) + u' ' + first->text(2);
    QVERIFY2(shown.contains(u"lost"_s) || shown.contains(u"198.51.100.7"_s)
                 || shown.contains(u"failed"_s),
             qPrintable(shown));
}

void TestGuiResponsive::deployDoesNotWaitForAnObservationOfAHungHost()
{
    QTemporaryDir dir;
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    MainWindow window(writeRegistry(dir, silent));
    window.show();
    // The window's first observation now waits on lost (10 s connect timeout); a deploy on
    // alpha runs on its own thread and ends while that observation still has not come back.
    deploy(window, false);
    auto *results = window.deployPanel()->findChild<QTreeWidget *>(u"deployResults"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!window.deployPanel()->isBusy(), 60000);
    QVERIFY2(results->topLevelItem(0)->text(2) == u"succeeded"_s,
             qPrintable(results->topLevelItem(0)->text(0)));
    QCOMPARE(window.topology()->hostSummary(u"alpha"_s), u"not observed yet"_s);
    (void)Orchestrator().stop(Orchestrator().checkRegistry(window.registryPath()).registry,
                              u"web"_s, u"test"_s);
}

void TestGuiResponsive::historyLoadsWhileADeployWaitsOnAHost()
{
    QTemporaryDir dir;
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    MainWindow window(writeRegistry(dir, silent));
    window.show();
    deploy(window, true);
    QVERIFY(window.deployPanel()->isBusy());
    QTest::qWait(300); // the deploy is on its thread, waiting for lost's banner

    // The history page reads on a thread of its own: it answers long before the deploy ends.
    QSignalSpy loaded(window.historyPage()->model(), &HistoryModel::pageLoaded);
    QElapsedTimer clock;
    clock.start();
    window.historyPage()->reload();
    QVERIFY2(loaded.wait(5000), "no page of history within 5 s");
    QVERIFY2(window.deployPanel()->isBusy(),
             qPrintable(u"the deploy ended first (%1 ms)"_s.arg(clock.elapsed())));
    QTRY_VERIFY_WITH_TIMEOUT(!window.deployPanel()->isBusy(), 60000);
}

QTEST_MAIN(TestGuiResponsive)
#include "TestGuiResponsive.moc"
