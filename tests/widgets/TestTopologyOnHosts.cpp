// SPDX-License-Identifier: Apache-2.0
// The desktop window against real SSH hosts (the namespace test hosts): a chip dragged from h1
// onto h2 stages a move and changes no host; Deploy runs it over SSH, the service answers from
// h2, its release is gone from h1, and the History page shows the move.
#include "core/Orchestrator.h"
#include "tests/support/TempRegistry.h"
#include "tests/support/TestHosts.h"
#include "tests/support/TopologyDrag.h"
#include "widgets/DeployPanel.h"
#include "widgets/HealthPage.h"
#include "widgets/HistoryModel.h"
#include "widgets/HistoryPage.h"
#include "widgets/HostWizard.h"
#include "widgets/LogsPage.h"
#include "widgets/MainWindow.h"
#include "widgets/StagedMoves.h"

#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QScopeGuard>
#include <QTabWidget>
#include <QTest>
#include <QTreeWidget>

using namespace Portoser;
using namespace Portoser::Test;
using namespace Qt::Literals::StringLiterals;

class TestTopologyOnHosts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void dragAndDeployMovesOverSsh();
    void serviceMenuStopsStartsAndRestarts();
    void outOfDateServicesAreOfferedAndDeployed();
    void hostWizardConfirmsTheKeyAndWritesARegistry();

private:
    Registry registry() const { return Orchestrator().checkRegistry(m_temp->path()).registry; }
    QString currentRelease(const QString &host) const
    {
        return m_hosts.dir() + u'/' + host + u"/base/.portoser/dragged/current"_s;
    }

    TestHosts m_hosts;
    std::unique_ptr<TempRegistry> m_temp;
};

void TestTopologyOnHosts::initTestCase()
{
    m_hosts = TestHosts::fromEnvironment();
    if (m_hosts.size() < 2)
        QSKIP("needs root and two namespace test hosts (network namespaces, sshd)");
    m_temp = std::make_unique<TempRegistry>();
    qputenv("PORTOSER_HOME", m_temp->path(u"home"_s).toUtf8());
    qputenv("PORTOSER_DB", m_temp->path(u"portoser.db"_s).toUtf8());
    qputenv("XDG_CONFIG_HOME", m_temp->path(u"config"_s).toUtf8());
    m_temp->write(u"src/dragged/index.html"_s, "hello from the namespace hosts\n");
    m_temp->writeRegistry(
        m_hosts.registryFragment()
        + "services:\n  dragged:\n    current_host: h1\n"
          "    deployment_type: process\n    source: src/dragged\n"
          "    command: python3 -m http.server 19181 --bind 0.0.0.0\n"
          "    port: 19181\n    stop_timeout: 3\n"
          "    health: {type: http, path: /index.html, interval: 1, retries: 10}\n");
    DeployOptions options;
    options.autoHeal = false;
    const auto first = Orchestrator().deploy(registry(), QStringList{u"dragged"_s}, options);
    QVERIFY2(first && first->first().succeeded(),
             first ? qPrintable(first->first().reason) : qPrintable(first.error().message));
}

void TestTopologyOnHosts::cleanupTestCase()
{
    if (m_temp)
        (void)Orchestrator().stop(registry(), u"dragged"_s, u"test"_s);
}

void TestTopologyOnHosts::dragAndDeployMovesOverSsh()
{
    MainWindow window(m_temp->path());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY(!window.topology()->chipPosition(u"dragged"_s).isNull());

    dragChip(window.topology(), u"dragged"_s, u"h2"_s);
    QCOMPARE(window.stagedMoves()->rowCount(), 1);
    QVERIFY(!QFileInfo::exists(currentRelease(u"h2"_s))); // staged only: h2 untouched

    QTest::mouseClick(window.deployPanel()->findChild<QPushButton *>(u"deployButton"_s),
                      Qt::LeftButton);
    auto *results = window.deployPanel()->findChild<QTreeWidget *>(u"deployResults"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!window.deployPanel()->isBusy() && results->topLevelItemCount() > 0,
                             90000);
    QCOMPARE(results->topLevelItem(0)->text(1), u"h2"_s);
    QCOMPARE(results->topLevelItem(0)->text(2), u"succeeded"_s);

    // It answers from h2 (asked over SSH there), and h1 no longer runs it.
    const auto page = m_hosts.ssh(u"h2"_s, u"curl -fsS http://127.0.0.1:19181/index.html"_s);
    QVERIFY(page);
    QCOMPARE(*page, QByteArray("hello from the namespace hosts\n"));
    const auto states = Orchestrator().status(registry(), {u"dragged"_s});
    QCOMPARE(states.value(u"dragged"_s).host, u"h2"_s);
    QCOMPARE(states.value(u"dragged"_s).state, u"running"_s);
    QVERIFY(!m_hosts.ssh(u"h1"_s, u"curl -fsS http://127.0.0.1:19181/index.html"_s));

    HistoryModel *history = window.historyPage()->model();
    QTRY_VERIFY(history->rowCount() > 0 && history->record(0).action == RecordAction::Move);
    QCOMPARE(history->record(0).host, u"h2"_s);
}

void TestTopologyOnHosts::serviceMenuStopsStartsAndRestarts()
{
    MainWindow window(m_temp->path());
    window.setConfirmStops(false);
    window.show();
    QTRY_VERIFY(!window.topology()->chipPosition(u"dragged"_s).isNull());
    auto *results = window.deployPanel()->findChild<QTreeWidget *>(u"deployResults"_s);
    // Each as the chip's menu (or the Health page's row) asks for it; the panel shows the end.
    const auto ended = [&] {
        return !window.deployPanel()->isBusy() && results->topLevelItemCount() > 0;
    };
    const auto state = [&] {
        return Orchestrator().status(registry(), {u"dragged"_s}).value(u"dragged"_s).state;
    };
    results->clear();
    emit window.topology()->serviceActionRequested(u"dragged"_s, ServiceAction::Stop);
    QTRY_VERIFY_WITH_TIMEOUT(ended(), 60000);
    QCOMPARE(results->topLevelItem(0)->text(2), u"succeeded"_s);
    QCOMPARE(state(), u"stopped"_s);

    results->clear();
    emit window.healthPage()->serviceActionRequested(u"dragged"_s, ServiceAction::Start);
    QTRY_VERIFY_WITH_TIMEOUT(ended(), 60000);
    QCOMPARE(results->topLevelItem(0)->text(2), u"succeeded"_s);
    QCOMPARE(state(), u"running"_s);

    results->clear();
    emit window.topology()->serviceActionRequested(u"dragged"_s, ServiceAction::Restart);
    QTRY_VERIFY_WITH_TIMEOUT(ended(), 60000);
    QCOMPARE(results->topLevelItem(0)->text(2), u"succeeded"_s);

    // The Logs page reads the log of the service it shows as soon as it opens.
    QVERIFY(window.logsPage()->text().isEmpty());
    auto *tabs = window.findChild<QTabWidget *>();
    for (int i = 0; i < tabs->count(); ++i) {
        if (tabs->widget(i) == window.logsPage()
            || tabs->widget(i)->isAncestorOf(window.logsPage()))
            tabs->setCurrentIndex(i);
    }
    QTRY_VERIFY_WITH_TIMEOUT(!window.logsPage()->text().isEmpty(), 20000);
    HistoryModel *history = window.historyPage()->model();
    QTRY_VERIFY(history->rowCount() > 0 && history->record(0).action == RecordAction::Restart);
    QVERIFY2(history->record(0).actor.startsWith(u"gui"_s), qPrintable(history->record(0).actor));
}

void TestTopologyOnHosts::outOfDateServicesAreOfferedAndDeployed()
{
    MainWindow window(m_temp->path());
    window.show();
    QTRY_VERIFY(!window.topology()->chipPosition(u"dragged"_s).isNull());
    auto *offer = window.deployPanel()->findChild<QPushButton *>(u"outOfDateButton"_s);
    QVERIFY(offer);
    // Everything deployed is as the registry says: nothing offered (once the look has ended).
    QTRY_VERIFY_WITH_TIMEOUT(!window.deployPanel()->isCheckingOutOfDate(), 20000);
    QVERIFY(window.deployPanel()->outOfDate().isEmpty());
    QVERIFY(offer->isHidden());

    // An edit of the registry (a new env var) makes the service out of date, without staging.
    QFile file(m_temp->path());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray text = file.readAll();
    file.close();
    text.replace("    deployment_type: process\n",
                 "    deployment_type: process\n    env: {GREETING: hi}\n");
    m_temp->writeRegistry(text);
    QTRY_VERIFY_WITH_TIMEOUT(window.deployPanel()->outOfDate() == QStringList{u"dragged"_s}, 20000);
    QVERIFY(offer->isVisible() && offer->text().contains(u"1"_s));
    QTest::mouseClick(offer, Qt::LeftButton);
    auto *results = window.deployPanel()->findChild<QTreeWidget *>(u"deployResults"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!window.deployPanel()->isBusy() && results->topLevelItemCount() > 0,
                             60000);
    QCOMPARE(results->topLevelItem(0)->text(2), u"succeeded"_s);
    QTRY_VERIFY_WITH_TIMEOUT(window.deployPanel()->outOfDate().isEmpty() && offer->isHidden(),
                             20000);
}

void TestTopologyOnHosts::hostWizardConfirmsTheKeyAndWritesARegistry()
{
    // known_hosts is the user's (~/.ssh): a scratch home for this case.
    const QByteArray home = qgetenv("HOME");
    qputenv("HOME", m_temp->path(u"wizard-home"_s).toUtf8());
    const auto restore = qScopeGuard([home] { qputenv("HOME", home); });
    const QString registry = m_temp->path(u"wizard/registry.yml"_s);
    HostWizard wizard(registry);
    wizard.show();
    const auto set = [&wizard](const QString &name, const QString &text) {
        wizard.findChild<QLineEdit *>(name)->setText(text);
    };
    set(u"wizardHostName"_s, u"first"_s);
    set(u"wizardAddress"_s, m_hosts.address(u"h1"_s));
    set(u"wizardUser"_s, u"root"_s);
    set(u"wizardKey"_s, m_hosts.dir() + u"/id_ed25519"_s);
    set(u"wizardBasePath"_s, m_hosts.dir() + u"/h1/base-wizard"_s);
    auto *fingerprint = wizard.findChild<QLabel *>(u"wizardFingerprint"_s);
    auto *facts = wizard.findChild<QLabel *>(u"wizardFacts"_s);
    auto *status = wizard.findChild<QLabel *>(u"wizardStatus"_s);

    // Connect shows the key the host offers, the one its sshd really has, and trusts nothing.
    wizard.connectToHost();
    QTRY_VERIFY2_WITH_TIMEOUT(fingerprint->text().contains(u"SHA256:"_s),
                              qPrintable(status->text()), 15000);
    QProcess keygen;
    keygen.start(u"ssh-keygen"_s, {u"-lf"_s, m_hosts.dir() + u"/h1/ssh_host_ed25519_key.pub"_s});
    QVERIFY(keygen.waitForFinished(10000));
    const QString real = QString::fromUtf8(keygen.readAllStandardOutput()).section(u' ', 1, 1);
    QVERIFY2(fingerprint->text().contains(real),
             qPrintable(fingerprint->text() + u" vs "_s + real));
    QVERIFY(!QFileInfo::exists(m_temp->path(u"wizard-home/.ssh/known_hosts"_s)));

    // Trusting it records it and asks the host what it is; Create writes a valid registry.
    wizard.trustOfferedKey();
    QTRY_VERIFY2_WITH_TIMEOUT(facts->text().contains(u"Linux"_s), qPrintable(status->text()),
                              15000);
    QFile known(m_temp->path(u"wizard-home/.ssh/known_hosts"_s));
    QVERIFY(known.open(QIODevice::ReadOnly));
    QVERIFY(known.readAll().contains(m_hosts.address(u"h1"_s).toLatin1()));
    wizard.create();
    QCOMPARE(wizard.createdRegistry(), registry);
    const CheckedRegistry created = Orchestrator().checkRegistry(registry);
    QVERIFY2(created.isValid(),
             created.issues.isEmpty() ? "" : qPrintable(created.issues.first().toString()));
    QCOMPARE(created.registry.host(u"first"_s)->sshUser, u"root"_s);
    QVERIFY(created.registry.host(u"first"_s)->arch.endsWith(u"linux"_s));

    // Asked again, the key is known; an existing file is never overwritten.
    HostWizard again(registry);
    again.findChild<QLineEdit *>(u"wizardHostName"_s)->setText(u"first"_s);
    again.findChild<QLineEdit *>(u"wizardAddress"_s)->setText(m_hosts.address(u"h1"_s));
    again.findChild<QLineEdit *>(u"wizardUser"_s)->setText(u"root"_s);
    again.findChild<QLineEdit *>(u"wizardKey"_s)->setText(m_hosts.dir() + u"/id_ed25519"_s);
    again.connectToHost();
    auto *againFacts = again.findChild<QLabel *>(u"wizardFacts"_s);
    QTRY_VERIFY_WITH_TIMEOUT(againFacts->text().contains(u"Linux"_s), 15000);
    again.create();
    QVERIFY(again.createdRegistry().isEmpty());
    QVERIFY(again.findChild<QLabel *>(u"wizardStatus"_s)->text().contains(u"exists already"_s));
}

QTEST_MAIN(TestTopologyOnHosts)
#include "TestTopologyOnHosts.moc"
