// SPDX-License-Identifier: Apache-2.0
// The desktop window on the offscreen platform: it loads the registry off the GUI thread, its
// watchdog toggle runs and pauses the self-heal loop without blocking the window, Settings are
// kept and put to work, registries switch, a problem opens in the editor, the palette (dark
// mode) is followed, and German is selectable.
#include "core/history/HistoryStore.h"
#include "widgets/AppSettings.h"
#include "widgets/Durations.h"
#include "widgets/HealthPage.h"
#include "widgets/HistoryModel.h"
#include "widgets/HistoryPage.h"
#include "widgets/MainWindow.h"
#include "widgets/SettingsDialog.h"
#include "widgets/TopologyView.h"
#include "widgets/WelcomePage.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
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
    void healthPageCarriesObserveAndWatchdog();
    void dependencyArrowsOnDemand();
    void settingsRefuseAPasswordInTheStoreUrl();
    void settingsAreKeptAndPutToWork();
    void settingsShowTheRegistryThatIsOpen();
    void registriesSwitchAndAreRemembered();
    void problemOpensInTheEditorAtItsLine();
    void darkPaletteIsFollowed();
    void durationsReadAsPeopleReadThem(); // before German is selected
    void menusAnOperatorExpects();
    void welcomePageOpensTheDemo(); // before German is selected
    void germanIsSelectable();

private:
    QString writeFile(const QString &name, const QByteArray &content);

    QTemporaryDir m_home;
    std::unique_ptr<MainWindow> m_window;
};

void TestMainWindow::initTestCase()
{
    qputenv("XDG_CONFIG_HOME", m_home.filePath(u"config"_s).toUtf8()); // QSettings: not the user's
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

void TestMainWindow::menusAnOperatorExpects()
{
    QStringList titles;
    for (QAction *menu : m_window->menuBar()->actions())
        titles << menu->text().remove(u'&');
    QCOMPARE(titles, QStringList({u"File"_s, u"View"_s, u"Cluster"_s, u"Help"_s}));
    auto *view = m_window->findChild<QMenu *>(u"viewMenu"_s);
    auto *cluster = m_window->findChild<QMenu *>(u"clusterMenu"_s);
    auto *help = m_window->findChild<QMenu *>(u"helpMenu"_s);
    QVERIFY(view && cluster && help);
    // The menus hold the toolbar's own actions: one state, one shortcut.
    QVERIFY(view->actions().contains(m_window->findChild<QAction *>(u"dependenciesAction"_s)));
    QVERIFY(cluster->actions().contains(m_window->findChild<QAction *>(u"watchdogAction"_s)));
    QVERIFY(help->actions().contains(m_window->findChild<QAction *>(u"aboutAction"_s)));
    // From the build tree the documentation is the source's docs/.
    QVERIFY2(QFileInfo::exists(MainWindow::documentationDirectory() + u"/gui.md"_s),
             qPrintable(MainWindow::documentationDirectory()));
}

void TestMainWindow::durationsReadAsPeopleReadThem()
{
    QCOMPARE(humanDuration(45), u"45 s"_s);
    QCOMPARE(humanDuration(839), u"13 min"_s);
    QCOMPARE(humanDuration(3 * 3600), u"3 h"_s);
    QCOMPARE(humanDuration(3 * 3600 + 5 * 60 + 9), u"3 h 5 min"_s);
    QCOMPARE(humanDuration(2 * 86400 + 4 * 3600), u"2 d 4 h"_s);
}

QString TestMainWindow::writeFile(const QString &name, const QByteArray &content)
{
    QFile file(m_home.filePath(name));
    QDir().mkpath(QFileInfo(file.fileName()).absolutePath());
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(content);
    return file.fileName();
}

void TestMainWindow::healthPageCarriesObserveAndWatchdog()
{
    QStringList actions;
    for (auto *button : m_window->healthPage()->findChildren<QToolButton *>())
        actions << button->defaultAction()->objectName();
    QVERIFY2(actions.contains(u"observeAction"_s) && actions.contains(u"watchdogAction"_s),
             qPrintable(actions.join(u", "_s)));
}

void TestMainWindow::dependencyArrowsOnDemand()
{
    // The demo: web depends on api. Off by default, drawn when asked for.
    auto *action = m_window->findChild<QAction *>(u"dependenciesAction"_s);
    QVERIFY(action);
    QCOMPARE(m_window->topology()->dependencyEdgeCount(), 0);
    action->setChecked(true);
    QCOMPARE(m_window->topology()->dependencyEdgeCount(), 1);
    action->setChecked(false);
    QCOMPARE(m_window->topology()->dependencyEdgeCount(), 0);
}

void TestMainWindow::settingsRefuseAPasswordInTheStoreUrl()
{
    SettingsDialog dialog(AppSettings::load());
    dialog.findChild<QLineEdit *>(u"storeEdit"_s)
        ->setText(u"postgresql://portoser:hunter2@db.lan/portoser"_s);
    dialog.show();
    dialog.accept();
    QVERIFY(dialog.isVisible()); // not accepted
    auto *problem = dialog.findChild<QLabel *>(u"settingsProblemLabel"_s);
    QVERIFY(problem->isVisible());
    QVERIFY2(problem->text().contains(u"~/.pgpass"_s), qPrintable(problem->text()));
    QVERIFY(AppSettings::load().store.isEmpty()); // nothing saved
}

void TestMainWindow::settingsAreKeptAndPutToWork()
{
    // Another store that already has a record: the history page reads from it once chosen.
    const QString other = m_home.filePath(u"other.db"_s);
    {
        auto store = HistoryStore::open(other);
        QVERIFY(store);
        DeploymentRecord r;
        r.service = u"from-the-other-store"_s;
        r.host = u"alpha"_s;
        r.action = RecordAction::Deploy;
        r.actor = u"test"_s;
        QVERIFY((*store)->begin(r));
        r.outcome = Outcome::Succeeded;
        QVERIFY((*store)->finish(r));
    }
    SettingsDialog dialog(m_window->settings());
    dialog.findChild<QLineEdit *>(u"storeEdit"_s)->setText(other);
    dialog.findChild<QSpinBox *>(u"healIntervalSpinBox"_s)->setValue(45);
    dialog.findChild<QCheckBox *>(u"acceptNewKeysCheckBox"_s)->setChecked(true);
    m_window->applySettings(dialog.settings());

    HistoryModel *history = m_window->historyPage()->model();
    QTRY_VERIFY_WITH_TIMEOUT(history->rowCount() == 1, 10000);
    QCOMPARE(history->record(0).service, u"from-the-other-store"_s);
    // Kept for the next start.
    const AppSettings kept = AppSettings::load();
    QCOMPARE(kept.store, other);
    QCOMPARE(kept.healIntervalSeconds, 45);
    QVERIFY(kept.acceptNewHostKeys);
    QCOMPARE(kept.orchestrator().transport.hostKeyPolicy, HostKeyPolicy::AcceptNew);
}

void TestMainWindow::settingsShowTheRegistryThatIsOpen()
{
    // Remembered: another registry; opened: the demo (by --registry). OK in Settings changes
    // nothing, and the dialog shows the registry that is open.
    AppSettings remembered = AppSettings::load();
    remembered.registryPath = writeFile(u"elsewhere.yml"_s, "hosts: {}\n");
    remembered.save();
    const QString demo =
        qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/examples/demo/registry.yml"_s;
    MainWindow window(demo);
    QString shown;
    QTimer answer; // answers the dialog once it is up (its parent is the window)
    answer.setInterval(10);
    connect(&answer, &QTimer::timeout, &window, [&] {
        if (auto *dialog = window.findChild<SettingsDialog *>(); dialog && dialog->isVisible()) {
            answer.stop();
            shown = dialog->findChild<QLineEdit *>(u"registryEdit"_s)->text();
            dialog->accept();
        }
    });
    answer.start();
    window.findChild<QAction *>(u"settingsAction"_s)->trigger(); // runs the dialog
    QCOMPARE(shown, demo);
    QCOMPARE(window.registryPath(), demo);
}

void TestMainWindow::registriesSwitchAndAreRemembered()
{
    const QString demo = m_window->registryPath();
    const QString small =
        writeFile(u"small.yml"_s,
                  "hosts:\n  solo: {ip: 127.0.0.1, transport: local, path: /tmp/portoser-solo}\n"
                  "services:\n  lonely:\n    current_host: solo\n    deployment_type: process\n"
                  "    command: sleep 1\n");
    m_window->openRegistry(small);
    QTRY_VERIFY(!m_window->topology()->chipPosition(u"lonely"_s).isNull());
    QVERIFY(m_window->topology()->chipPosition(u"api"_s).isNull());
    QVERIFY(m_window->windowTitle().contains(small));
    // An edit on disk shows without asking.
    writeFile(u"small.yml"_s,
              "hosts:\n  solo: {ip: 127.0.0.1, transport: local, path: /tmp/portoser-solo}\n"
              "services:\n  renamed:\n    current_host: solo\n    deployment_type: process\n"
              "    command: sleep 1\n");
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->topology()->chipPosition(u"renamed"_s).isNull(), 5000);
    // So does an edit of an included file, and a file new to an include glob.
    writeFile(u"parts/hosts.yml"_s,
              "hosts:\n  solo: {ip: 127.0.0.1, transport: local, path: /tmp/portoser-solo}\n");
    writeFile(u"parts/services/a.yml"_s,
              "services:\n  first:\n    current_host: solo\n    deployment_type: process\n"
              "    command: sleep 1\n");
    const QString split =
        writeFile(u"parts/registry.yml"_s, "include:\n  - hosts.yml\n  - services/*.yml\n");
    m_window->openRegistry(split);
    QTRY_VERIFY(!m_window->topology()->chipPosition(u"first"_s).isNull());
    writeFile(u"parts/services/a.yml"_s,
              "services:\n  edited:\n    current_host: solo\n    deployment_type: process\n"
              "    command: sleep 1\n");
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->topology()->chipPosition(u"edited"_s).isNull(), 5000);
    writeFile(u"parts/services/b.yml"_s,
              "services:\n  added:\n    current_host: solo\n    deployment_type: process\n"
              "    command: sleep 1\n");
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->topology()->chipPosition(u"added"_s).isNull(), 5000);
    m_window->openRegistry(small);
    QTRY_VERIFY(!m_window->topology()->chipPosition(u"renamed"_s).isNull());
    // Remembered: the next start opens it, the recent list has both; what the environment
    // decides (the secrets backend here) is not pinned in the settings file by it.
    QCOMPARE(AppSettings::load().registryPath, small);
    QVERIFY(!QSettings().contains(u"secrets/backend"_s));
    m_window->openRegistry(demo);
    QTRY_VERIFY(!m_window->topology()->chipPosition(u"api"_s).isNull());
    const QStringList recent = AppSettings::load().recentRegistries;
    QCOMPARE(recent.value(0), demo);
    QCOMPARE(recent.value(1), small);
}

void TestMainWindow::problemOpensInTheEditorAtItsLine()
{
    // $VISUAL is a script that writes down how it was called.
    const QString called = m_home.filePath(u"editor-called"_s);
    const QString editor = writeFile(u"editor.sh"_s, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \""
                                                         + called.toUtf8() + "\"\n");
    QFile::setPermissions(editor, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    qputenv("VISUAL", editor.toUtf8());
    const QString broken =
        writeFile(u"broken.yml"_s,
                  "hosts:\n  solo: {ip: 127.0.0.1, transport: local, path: /tmp/portoser-solo}\n"
                  "services:\n  svc:\n    current_host: solo\n    deployment_type: process\n"
                  "    command: sleep 1\n    colour: blue\n");
    m_window->openRegistry(broken);
    auto *issues = m_window->findChild<QTreeWidget *>(u"issuesTreeWidget"_s);
    QTRY_VERIFY(issues->topLevelItemCount() > 0);
    QTreeWidgetItem *item = issues->topLevelItem(0);
    QVERIFY2(item->text(2).contains(u"colour"_s), qPrintable(item->text(2)));
    emit issues->itemDoubleClicked(item, 1);
    const auto arguments = [called] {
        QFile file(called);
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
    };
    QTRY_COMPARE(arguments(), u"+8\n"_s + broken + u'\n'); // the line of `colour`
    qunsetenv("VISUAL");
    m_window->openRegistry(qEnvironmentVariable("PORTOSER_SOURCE_DIR")
                           + u"/examples/demo/registry.yml"_s);
}

void TestMainWindow::darkPaletteIsFollowed()
{
    const QPalette light = QApplication::palette();
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x20, 0x22, 0x25));
    dark.setColor(QPalette::Base, QColor(0x18, 0x19, 0x1b));
    dark.setColor(QPalette::AlternateBase, QColor(0x2a, 0x2c, 0x30));
    dark.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::Button, QColor(0x30, 0x32, 0x36));
    QApplication::setPalette(dark);
    // Icons are drawn again in the light text colour; the topology's cards turn dark.
    auto *tabs = m_window->findChild<QTabWidget *>(u"pagesTabWidget"_s);
    const auto lightestStroke = [tabs] {
        const QImage icon = tabs->tabIcon(0).pixmap(32, 32).toImage();
        int lightest = 0;
        for (int y = 0; y < icon.height(); ++y) {
            for (int x = 0; x < icon.width(); ++x) {
                if (qAlpha(icon.pixel(x, y)) > 200)
                    lightest = std::max(lightest, qGray(icon.pixel(x, y)));
            }
        }
        return lightest;
    };
    QTRY_VERIFY2(lightestStroke() > 200, qPrintable(QString::number(lightestStroke())));
    QTRY_VERIFY(!m_window->topology()->hostPosition(u"alpha"_s).isNull());
    // Along a line across the card's header, most pixels are its fill (the rest, text).
    const QPoint card = m_window->topology()->hostPosition(u"alpha"_s);
    const auto cardGray = [this, card] {
        const QImage topology = m_window->topology()->viewport()->grab().toImage();
        QList<int> grays;
        for (int dx = -40; dx <= 40; ++dx) {
            if (topology.rect().contains(card + QPoint(dx, 0)))
                grays.append(qGray(topology.pixel(card + QPoint(dx, 0))));
        }
        std::sort(grays.begin(), grays.end());
        return grays.isEmpty() ? 255 : grays.at(grays.size() / 2);
    };
    QTRY_VERIFY2(cardGray() < 80, qPrintable(QString::number(cardGray())));
    if (const QString shot = qEnvironmentVariable("PORTOSER_DARK_SCREENSHOT"); !shot.isEmpty())
        QVERIFY(m_window->grab().save(shot));
    QApplication::setPalette(light);
}

void TestMainWindow::welcomePageOpensTheDemo()
{
    // No registry where it looks: a welcome page, not an empty canvas.
    qputenv("PORTOSER_DEMO_DIR",
            (qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/examples/demo"_s).toUtf8());
    MainWindow window(m_home.filePath(u"nothing-here/registry.yml"_s));
    window.show();
    QTRY_VERIFY(window.isWelcoming());
    for (const QString &choice :
         {u"welcomeDemo"_s, u"welcomeCreate"_s, u"welcomeOpen"_s, u"welcomeConnect"_s})
        QVERIFY2(window.welcomePage()->findChild<QWidget *>(choice), qPrintable(choice));
    // The demo opens as a copy of its own (a move edits the file).
    qobject_cast<QAbstractButton *>(window.findChild<QWidget *>(u"welcomeDemo"_s))->click();
    QTRY_VERIFY(!window.isWelcoming());
    QVERIFY(window.registryPath().startsWith(m_home.path()));
    QVERIFY(window.registryPath().endsWith(u"demo-registry/registry.yml"_s));
    QTRY_VERIFY(!window.topology()->chipPosition(u"api"_s).isNull());
}

void TestMainWindow::germanIsSelectable()
{
    AppSettings settings = AppSettings::load();
    settings.language = u"de"_s;
    settings.save();
    // What main() does at start, then a window: its words are German.
    QVERIFY(installTranslation(AppSettings::load().language));
    MainWindow german(qEnvironmentVariable("PORTOSER_SOURCE_DIR")
                      + u"/examples/demo/registry.yml"_s);
    auto *tabs = german.findChild<QTabWidget *>(u"pagesTabWidget"_s);
    QCOMPARE(tabs->tabText(1), u"&Zustand"_s);
    QCOMPARE(german.findChild<QAction *>(u"watchdogAction"_s)->toolTip().left(10),
             QCoreApplication::translate("Portoser::MainWindow",
                                         "Run the self-heal watchdog: observe, diagnose and fix "
                                         "services on a timer")
                 .left(10));
    QVERIFY(!german.findChild<QAction *>(u"watchdogAction"_s)->toolTip().startsWith(u"Run"_s));
    QCOMPARE(QCoreApplication::translate("Portoser::SettingsDialog", "&Language:"), u"&Sprache:"_s);
    // English needs no translation file.
    QVERIFY(!installTranslation(u"en"_s));
}

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
