// SPDX-License-Identifier: Apache-2.0
// The desktop window on the offscreen platform: it loads the registry off the GUI thread, and its
// watchdog toggle runs and pauses the self-heal loop without blocking the window.
#include "widgets/MainWindow.h"
#include "widgets/TopologyView.h"

#include <QAction>
#include <QLabel>
#include <QListWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace Portoser;
using namespace Qt::Literals::StringLiterals;

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void showsTheRegistry();
    void watchdogToggleRunsAndPausesTheLoop();

private:
    QTemporaryDir m_home;
    std::unique_ptr<MainWindow> m_window;
};

void TestMainWindow::initTestCase()
{
    // The watchdog writes its events into the history database: a throwaway one.
    qputenv("PORTOSER_DB", m_home.filePath(u"portoser.db"_s).toUtf8());
    qputenv("PORTOSER_HOME", m_home.path().toUtf8());
    m_window = std::make_unique<MainWindow>(qEnvironmentVariable("PORTOSER_SOURCE_DIR")
                                            + u"/examples/demo/registry.yml"_s);
    m_window->show();
}

void TestMainWindow::showsTheRegistry()
{
    TopologyView *topology = m_window->topology();
    QVERIFY(topology);
    QTRY_VERIFY(!topology->chipPosition(u"api"_s).isNull());
    QVERIFY(!topology->hostPosition(u"beta"_s).isNull());
    QVERIFY(!topology->accessibleName().isEmpty());
}

void TestMainWindow::watchdogToggleRunsAndPausesTheLoop()
{
    auto *action = m_window->findChild<QAction *>(u"watchdogAction"_s);
    auto *label = m_window->findChild<QLabel *>(u"watchdogLabel"_s);
    QVERIFY(action && label);
    QTRY_VERIFY(action->isEnabled()); // the registry loaded and is valid
    QVERIFY(action->isCheckable());
    action->setChecked(true);
    // A pass ran on the loop's thread and reported back to the window.
    QTRY_VERIFY_WITH_TIMEOUT(label->text().contains(u"services"_s), 15000);
    // PORTOSER_SCREENSHOT=file.png keeps a picture of the window, to look at it for real.
    if (const QString shot = qEnvironmentVariable("PORTOSER_SCREENSHOT"); !shot.isEmpty())
        QVERIFY(m_window->grab().save(shot));
    action->setChecked(false);
    QCOMPARE(label->text(), u"Watchdog paused"_s);
}

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
