// SPDX-License-Identifier: Apache-2.0
// The desktop window doing real work on the offscreen platform: a service dragged (QTest mouse
// events) onto another host stages a move and changes nothing; Deploy moves it for real (local
// transport); a drop where the service cannot run is refused with the reason; the history page
// shows the records and rolls back through its confirmation; the models pass
// QAbstractItemModelTester.
#include "core/Orchestrator.h"
#include "tests/support/TopologyDrag.h"
#include "widgets/DeployPanel.h"
#include "widgets/HealthPage.h"
#include "widgets/HistoryModel.h"
#include "widgets/HistoryPage.h"
#include "widgets/LogsPage.h"
#include "widgets/MainWindow.h"
#include "widgets/StagedMoves.h"
#include "widgets/TopologyView.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QFile>
#include <QMouseEvent>
#include <QPushButton>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace Portoser;
using namespace Qt::Literals::StringLiterals;

class TestTopology : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void modelsPassTheTester();
    void historyRollsBackAfterConfirmation();
    void refusedDropSaysWhy();
    void hostCardsShowTheLastObservation();
    void dragStagesAndDeployMoves();
    void markedRedeployRunsInPlaceAndOpensItsRecord();
    void chipsShowTheirPublicUrlAndRoute();
    void healthPageDiagnoses();
    void logsPageShowsTheLog();
    void serviceGoingDownIsNotified();
    void dependencyArrowsGoAroundChips();

private:
    void drag(const QString &service, const QString &toHost);
    Registry registry() const;
    QString registryText() const;

    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
};

void TestTopology::initTestCase()
{
    qputenv("XDG_CONFIG_HOME", m_dir.filePath(u"config"_s).toUtf8()); // QSettings: not the user's
    qputenv("PORTOSER_DB", m_dir.filePath(u"portoser.db"_s).toUtf8());
    qputenv("PORTOSER_HOME", m_dir.filePath(u"home"_s).toUtf8());
    QDir().mkpath(m_dir.filePath(u"web"_s));
    QFile page(m_dir.filePath(u"web/index.html"_s));
    QVERIFY(page.open(QIODevice::WriteOnly));
    page.write("v1\n");
    page.close();
    QFile file(m_dir.filePath(u"registry.yml"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    const QByteArray dir = m_dir.path().toUtf8();
    file.write("hosts:\n"
               "  alpha: {ip: 127.0.0.1, transport: local, path: "
               + dir
               + "/alpha, arch: amd64-linux}\n"
                 "  beta: {ip: 127.0.0.1, transport: local, path: "
               + dir
               + "/beta, arch: amd64-linux}\n"
                 "  pi: {ip: 127.0.0.1, transport: local, path: "
               + dir
               + "/pi, arch: arm64-linux}\n"
                 "services:\n"
                 "  web:\n    current_host: alpha\n    deployment_type: process\n    source: web\n"
                 "    command: echo web says hello; exec sleep 300\n    stop_timeout: 2\n"
                 "    health: {type: command, command: \"true\", retries: 1}\n"
                 "  tool:\n    current_host: alpha\n    deployment_type: local\n"
                 "    command: sleep 300\n");
    file.close();

    // Two deploys of web on alpha before the window opens: something to roll back to.
    Orchestrator o;
    DeployOptions options;
    options.autoHeal = false;
    auto first = o.deploy(registry(), QStringList{u"web"_s}, options);
    QVERIFY2(first && first->first().succeeded(),
             first ? qPrintable(first->first().reason) : qPrintable(first.error().message));
    QVERIFY(page.open(QIODevice::WriteOnly));
    page.write("v2\n");
    page.close();
    auto second = o.deploy(registry(), QStringList{u"web"_s}, options);
    QVERIFY(second && second->first().succeeded());

    m_window = std::make_unique<MainWindow>(m_dir.filePath(u"registry.yml"_s));
    m_window->historyPage()->setConfirm([](const QString &) { return true; });
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_VERIFY(!m_window->topology()->chipPosition(u"web"_s).isNull());
}

void TestTopology::cleanupTestCase()
{
    m_window.reset();
    Orchestrator o;
    (void)o.stop(registry(), u"web"_s, u"test"_s);
}

Registry TestTopology::registry() const
{
    return Orchestrator().checkRegistry(m_dir.filePath(u"registry.yml"_s)).registry;
}

QString TestTopology::registryText() const
{
    QFile file(m_dir.filePath(u"registry.yml"_s));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

void TestTopology::drag(const QString &service, const QString &toHost)
{
    Test::dragChip(m_window->topology(), service, toHost);
}

void TestTopology::modelsPassTheTester()
{
    StagedMoves staged;
    QAbstractItemModelTester stagedTester(&staged,
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    staged.stage({u"a"_s, u"h1"_s, u"h2"_s});
    staged.stage({u"b"_s, u"h1"_s, u"h3"_s});
    staged.stage({u"a"_s, u"h1"_s, u"h3"_s}); // replaces a's move
    QCOMPARE(staged.rowCount(), 2);
    staged.stage({u"a"_s, u"h1"_s, u"h1"_s}); // back home: dropped
    QCOMPARE(staged.rowCount(), 1);
    // A deploy's end removes what it ran; what was staged meanwhile stays.
    const QList<StagedMove> ran = staged.moves();
    staged.markRedeploy(u"c"_s, u"h2"_s);
    staged.remove(ran);
    QCOMPARE(staged.rowCount(), 1);
    QVERIFY(staged.moves().first().isRedeploy());
    staged.undo(0);
    staged.clear();

    HistoryModel *history = m_window->historyPage()->model();
    QAbstractItemModelTester historyTester(history,
                                           QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_window->historyPage()->reload();
    QTRY_VERIFY(history->rowCount() >= 2);
}

void TestTopology::historyRollsBackAfterConfirmation()
{
    HistoryModel *history = m_window->historyPage()->model();
    QTRY_VERIFY(history->rowCount() >= 2);
    // Newest first: row 1 is the first deploy, whose release (v1) is still on alpha.
    const DeploymentRecord first = history->record(1);
    QCOMPARE(toString(first.action), u"deploy"_s);
    m_window->historyPage()->rollback(1);
    QTRY_VERIFY_WITH_TIMEOUT(
        history->rowCount() >= 3 && history->record(0).action == RecordAction::Rollback, 20000);
    QCOMPARE(toString(history->record(0).outcome), u"succeeded"_s);
    QCOMPARE(history->record(0).releaseId, first.releaseId);
    QVERIFY(history->record(0).actor.startsWith(u"gui:"_s));
}

void TestTopology::refusedDropSaysWhy()
{
    drag(u"tool"_s, u"pi"_s);
    QVERIFY2(m_window->topology()->refusalText().contains(u"arm64-linux"_s),
             qPrintable(m_window->topology()->refusalText()));
    QCOMPARE(m_window->stagedMoves()->rowCount(), 0);
}

void TestTopology::dragStagesAndDeployMoves()
{
    drag(u"web"_s, u"beta"_s);
    StagedMoves *staged = m_window->stagedMoves();
    QCOMPARE(staged->rowCount(), 1);
    QCOMPARE(staged->data(staged->index(0), StagedMoves::ToRole).toString(), u"beta"_s);
    QVERIFY(m_window->topology()->refusalText().isEmpty());
    // Staged only: the registry and the hosts are as they were.
    QVERIFY(registryText().contains(u"current_host: alpha\n    deployment_type: process"_s));
    QCOMPARE(Orchestrator().status(registry(), {u"web"_s}).value(u"web"_s).state, u"running"_s);
    QVERIFY(!QFile::exists(m_dir.filePath(u"beta/.portoser/web/current"_s)));

    // Its plan: a move, with the config diff that says where to.
    m_window->deployPanel()->plan();
    auto *plan = m_window->deployPanel()->findChild<QTreeWidget *>(u"planTree"_s);
    QTRY_VERIFY(plan->topLevelItemCount() > 0 && !m_window->deployPanel()->isBusy());
    const auto planned = plan->findItems(u"web"_s, Qt::MatchExactly);
    QCOMPARE(planned.size(), 1);
    QCOMPARE(planned.first()->text(2), u"move"_s);
    bool diffNamesBeta = false;
    for (int i = 0; i < planned.first()->childCount(); ++i)
        diffNamesBeta |= planned.first()->child(i)->text(3) == u"+ current_host: beta"_s;
    QVERIFY(diffNamesBeta);

    auto *deploy = m_window->deployPanel()->findChild<QPushButton *>(u"deployButton"_s);
    QVERIFY(deploy && deploy->isEnabled());
    QTest::mouseClick(deploy, Qt::LeftButton);
    auto *results = m_window->deployPanel()->findChild<QTreeWidget *>(u"deployResults"_s);
    QTRY_VERIFY_WITH_TIMEOUT(results->topLevelItemCount() > 0, 30000);
    QCOMPARE(results->topLevelItem(0)->text(2), u"succeeded"_s);
    QCOMPARE(staged->rowCount(), 0);
    // The progress, per host and service, with the steps it went through.
    auto *progress = m_window->deployPanel()->findChild<QTreeWidget *>(u"deployProgress"_s);
    const auto beta = progress->findItems(u"beta"_s, Qt::MatchExactly);
    QCOMPARE(beta.size(), 1);
    QTreeWidgetItem *webOnBeta = beta.first()->child(0);
    QCOMPARE(webOnBeta->text(0), u"web"_s);
    QCOMPARE(webOnBeta->text(1), u"✓ done"_s);
    QStringList steps;
    for (int i = 0; i < webOnBeta->childCount(); ++i)
        steps << webOnBeta->child(i)->text(1);
    QVERIFY2(steps.contains(u"health"_s) && steps.contains(u"start"_s),
             qPrintable(steps.join(u' ')));
    QCOMPARE(beta.first()->text(1), u"1 of 1 ended"_s);
    QVERIFY(registryText().contains(u"current_host: beta"_s));
    const ServiceState now = Orchestrator().status(registry(), {u"web"_s}).value(u"web"_s);
    QCOMPARE(now.host, u"beta"_s);
    QCOMPARE(now.state, u"running"_s);
    // The history page shows the move.
    HistoryModel *history = m_window->historyPage()->model();
    QTRY_VERIFY(history->rowCount() > 0 && history->record(0).action == RecordAction::Move);
    // PORTOSER_SCREENSHOT=file.png keeps a picture of the window, to look at it for real.
    if (const QString shot = qEnvironmentVariable("PORTOSER_SCREENSHOT"); !shot.isEmpty())
        QVERIFY(m_window->grab().save(shot));
}

void TestTopology::hostCardsShowTheLastObservation()
{
    // The window observed every host when the registry loaded: each card says how its host is.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->topology()->hostSummary(u"alpha"_s).contains(u"load"_s),
                             15000);
    const QString alpha = m_window->topology()->hostSummary(u"alpha"_s);
    QVERIFY2(alpha.contains(u"disk"_s) && alpha.contains(u"mem"_s), qPrintable(alpha));
}

void TestTopology::markedRedeployRunsInPlaceAndOpensItsRecord()
{
    // The chip's menu marks web (now on beta) for a redeploy; marking twice unmarks.
    TopologyView *view = m_window->topology();
    StagedMoves *staged = m_window->stagedMoves();
    emit view->redeployRequested(u"web"_s, u"beta"_s);
    emit view->redeployRequested(u"web"_s, u"beta"_s);
    QCOMPARE(staged->rowCount(), 0);
    emit view->redeployRequested(u"web"_s, u"beta"_s);
    QCOMPARE(staged->rowCount(), 1);
    QVERIFY(staged->moves().first().isRedeploy());
    const qint64 pidBefore = Orchestrator().status(registry(), {u"web"_s}).value(u"web"_s).pid;

    QTest::mouseClick(m_window->deployPanel()->findChild<QPushButton *>(u"deployButton"_s),
                      Qt::LeftButton);
    auto *results = m_window->deployPanel()->findChild<QTreeWidget *>(u"deployResults"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->deployPanel()->isBusy() && results->topLevelItemCount() > 0,
                             30000);
    QTreeWidgetItem *result = results->findItems(u"web"_s, Qt::MatchExactly).value(0);
    QVERIFY(result);
    QCOMPARE(result->text(1), u"beta"_s);
    QCOMPARE(result->text(2), u"succeeded"_s);
    const ServiceState now = Orchestrator().status(registry(), {u"web"_s}).value(u"web"_s);
    QCOMPARE(now.state, u"running"_s);
    QVERIFY(now.pid != pidBefore); // started again although nothing changed
    QVERIFY(m_window->statusBar()->currentMessage().startsWith(u"Deploy finished"_s));

    // Its result opens the record on the history page.
    emit results->itemDoubleClicked(result, 3);
    HistoryPage *history = m_window->historyPage();
    QTRY_VERIFY(history->findChild<QTableView *>(u"historyTable"_s)->currentIndex().isValid());
    const int row = history->findChild<QTableView *>(u"historyTable"_s)->currentIndex().row();
    QCOMPARE(u"#%1"_s.arg(history->model()->record(row).id), result->text(3));
    QCOMPARE(toString(history->model()->record(row).action), u"restart"_s);
}

void TestTopology::chipsShowTheirPublicUrlAndRoute()
{
    TopologyView *view = m_window->topology();
    view->setRoutes({{u"web"_s, {u"https://web.test.internal:8443/"_s, u"stale"_s}}});
    const QString tip = view->chipToolTip(u"web"_s);
    QVERIFY2(tip.contains(u"https://web.test.internal:8443/"_s) && tip.contains(u"stale"_s),
             qPrintable(tip));
}

void TestTopology::healthPageDiagnoses()
{
    HealthPage *health = m_window->healthPage();
    health->diagnose();
    QTreeWidget *tree = health->servicesTree();
    // Observations fill state and pid as they come; Diagnose adds the score (column 6).
    const auto diagnosed = [tree] {
        return tree->topLevelItemCount() == 2 && !tree->topLevelItem(0)->text(6).isEmpty()
               && !tree->topLevelItem(1)->text(6).isEmpty();
    };
    QTRY_VERIFY_WITH_TIMEOUT(diagnosed(), 20000);
    const auto rows = tree->findItems(u"web"_s, Qt::MatchExactly);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first()->text(1), u"beta"_s); // where the drag-and-deploy moved it
    QCOMPARE(rows.first()->text(2), u"running"_s);
    QCOMPARE(rows.first()->text(6), u"100"_s);       // score
    QVERIFY(rows.first()->text(4).toLongLong() > 0); // pid
}

void TestTopology::logsPageShowsTheLog()
{
    LogsPage *logs = m_window->logsPage();
    logs->showLog(u"web"_s);
    QTRY_VERIFY_WITH_TIMEOUT(logs->text().contains(u"web says hello"_s), 10000);
}

void TestTopology::serviceGoingDownIsNotified()
{
    // web runs (the window has seen it so); stopped behind the window's back, the next
    // observation says so in the status bar (and the tray, where the desktop has one).
    QTRY_VERIFY_WITH_TIMEOUT(
        m_window->topology()->chipToolTip(u"web"_s).contains(u"on beta: running"_s), 15000);
    QVERIFY(Orchestrator().stop(registry(), u"web"_s, u"test"_s));
    m_window->findChild<QAction *>(u"observeAction"_s)->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->statusBar()->currentMessage().startsWith(u"web on beta"_s),
                             15000);
    // The Health page shows the same observation: web no longer running, no pid.
    const auto web = m_window->healthPage()->servicesTree()->findItems(u"web"_s, Qt::MatchExactly);
    QCOMPARE(web.size(), 1);
    QVERIFY2(web.first()->text(2) != u"running"_s, qPrintable(web.first()->text(2)));
    QCOMPARE(web.first()->text(4), u"-"_s);
}

QTEST_MAIN(TestTopology)
namespace {

/** Whether the line from `a` to `b` touches `r`. */
bool crosses(const QLineF &line, const QRectF &r)
{
    if (r.contains(line.p1()) || r.contains(line.p2()))
        return true;
    const QLineF edges[] = {{r.topLeft(), r.topRight()},
                            {r.topRight(), r.bottomRight()},
                            {r.bottomRight(), r.bottomLeft()},
                            {r.bottomLeft(), r.topLeft()}};
    for (const QLineF &edge : edges) {
        if (line.intersects(edge) == QLineF::BoundedIntersection)
            return true;
    }
    return false;
}

} // namespace

void TestTopology::dependencyArrowsGoAroundChips()
{
    // Six hosts in two rows of four columns; dependencies within a card, to the neighbouring
    // column, across columns, leftwards and between rows.
    Registry r;
    for (int i = 1; i <= 6; ++i) {
        Host h;
        h.name = u"h%1"_s.arg(i);
        r.hosts.insert(h.name, h);
    }
    const auto add = [&r](const QString &name, const QString &host, const QStringList &needs) {
        Service s;
        s.name = name;
        s.currentHost = host;
        s.dependencies = needs;
        r.services.insert(name, s);
    };
    add(u"a1"_s, u"h1"_s, {u"d4"_s, u"b1"_s});
    add(u"b1"_s, u"h1"_s, {});
    add(u"c1"_s, u"h1"_s, {u"b1"_s});
    add(u"d4"_s, u"h4"_s, {});
    add(u"e5"_s, u"h5"_s, {u"f2"_s});
    add(u"f2"_s, u"h2"_s, {});
    add(u"g6"_s, u"h6"_s, {u"a1"_s, u"k6"_s});
    add(u"k6"_s, u"h6"_s, {});
    add(u"i3"_s, u"h3"_s, {u"e5"_s, u"f2"_s});
    TopologyView view;
    view.setRegistry(r);
    view.setDependenciesShown(true);
    QCOMPARE(view.dependencyEdgeCount(), 8);
    const QPainterPath path = view.dependencyPath();
    QPointF at;
    int segments = 0;
    for (int i = 0; i < path.elementCount(); ++i) {
        const QPainterPath::Element e = path.elementAt(i);
        QVERIFY(e.isMoveTo() || e.isLineTo()); // straight lines only: they stay in the gaps
        if (e.isLineTo()) {
            ++segments;
            const QLineF line(at, QPointF(e.x, e.y));
            for (const Service &s : std::as_const(r.services))
                QVERIFY2(!crosses(line, view.chipTextRect(s.name)),
                         qPrintable(u"an arrow crosses %1's text"_s.arg(s.name)));
        }
        at = QPointF(e.x, e.y);
    }
    QVERIFY(segments >= 8 * 4);
}

#include "TestTopology.moc"
