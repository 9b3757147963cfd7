// SPDX-License-Identifier: Apache-2.0
// The real binary: mode selection, and that --serve/--cli never need a display.
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::Literals::StringLiterals;

class TestAppModes : public QObject
{
    Q_OBJECT

private slots:
    void versionAndHelp();
    void cliRunsWithoutDisplay();
    void usageErrorExitsTwo();
    void windowWithoutDisplaySaysWhatToRun();
    void serveStartsHeadlessAndStopsOnTerm();
    void serveRefusesInvalidRegistry();
    void onlyTheWindowLoadsTheGuiLibraries();

private:
    static QProcessEnvironment headless()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(u"DISPLAY"_s);
        env.remove(u"WAYLAND_DISPLAY"_s);
        env.remove(u"QT_QPA_PLATFORM"_s); // a QApplication would abort here; QCoreApplication must
                                          // not care
        return env;
    }
    static QString binary() { return qEnvironmentVariable("PORTOSER_BINARY"); }
    static QString demo()
    {
        return qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/examples/demo/registry.yml"_s;
    }
    /** The shared objects a running process has mapped. */
    static QByteArray mapsOf(const QProcess &p)
    {
        QFile maps(u"/proc/%1/maps"_s.arg(p.processId()));
        return maps.open(QIODevice::ReadOnly) ? maps.readAll() : QByteArray();
    }
    static bool mapsGui(const QByteArray &maps)
    {
        return maps.contains("libQt6Widgets") || maps.contains("libQt6Gui")
               || maps.contains("portoser-window");
    }
    static int run(const QStringList &args, QString *out = nullptr)
    {
        QProcess p;
        p.setProcessEnvironment(headless());
        p.start(binary(), args);
        if (!p.waitForFinished(30000))
            return -1;
        if (out)
            *out = QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    }
};

void TestAppModes::versionAndHelp()
{
    QString out;
    QCOMPARE(run({u"--version"_s}, &out), 0);
    QVERIFY2(out.startsWith(u"portoser 0."_s), qPrintable(out));
    QCOMPARE(run({u"--help"_s}, &out), 0);
    QVERIFY(out.contains(u"--serve"_s) && out.contains(u"--cli"_s) && out.contains(u"validate"_s));
}

void TestAppModes::cliRunsWithoutDisplay()
{
    QString out;
    QCOMPARE(run({u"--cli"_s, u"--registry"_s, demo(), u"dependencies"_s, u"order"_s}, &out), 0);
    QCOMPARE(out, u"wave 1: api, site\nwave 2: worker\n"_s);
    QCOMPARE(run({u"--registry"_s, demo(), u"--cli"_s, u"validate"_s}, &out),
             0); // global option first
}

void TestAppModes::usageErrorExitsTwo()
{
    QString out;
    QCOMPARE(run({u"--cli"_s, u"no-such-command"_s}, &out), 2);
    QVERIFY(out.contains(u"unknown command"_s));
}

void TestAppModes::windowWithoutDisplaySaysWhatToRun()
{
    // The first thing typed over SSH: one line naming --cli and --serve, not an abort in Qt.
    QString out;
    QCOMPARE(run({}, &out), 1);
    QVERIFY2(out.contains(u"no display"_s) && out.contains(u"--cli"_s)
                 && out.contains(u"--serve"_s),
             qPrintable(out));
    QCOMPARE(out.count(u'\n'), 1);
    QCOMPARE(run({u"--registry"_s, demo()}, &out), 1);
    // An unknown flag or a command without --cli is a usage error, display or not.
    QCOMPARE(run({u"--no-such-flag"_s}, &out), 2);
    QVERIFY2(out.contains(u"unknown option --no-such-flag"_s), qPrintable(out));
    QCOMPARE(run({u"status"_s}, &out), 2);
    QVERIFY2(out.contains(u"portoser --cli status"_s), qPrintable(out));
    QCOMPARE(run({u"--registry"_s}, &out), 2);
    // Qt's own options and macOS's -Key value pairs are the window's, not errors.
    QCOMPARE(run({u"--style"_s, u"fusion"_s, u"-AppleLanguages"_s, u"(de)"_s, u"-psn_0_1"_s}, &out),
             1); // accepted; still no display here
    QVERIFY2(out.contains(u"no display"_s), qPrintable(out));
}

void TestAppModes::serveStartsHeadlessAndStopsOnTerm()
{
    QTemporaryDir home;
    QProcess p;
    QProcessEnvironment env = headless();
    env.insert(u"PORTOSER_HOME"_s, home.path());
    p.setProcessEnvironment(env);
    p.start(binary(), {u"--serve"_s, u"--registry"_s, demo(), u"--db"_s, home.filePath(u"p.db"_s)});
    QVERIFY(p.waitForStarted());
    QByteArray output;
    QTRY_VERIFY2_WITH_TIMEOUT((output += p.readAllStandardOutput()).contains("watchdog running"),
                              QByteArray(output + p.readAllStandardError()).constData(), 10000);
    QVERIFY(output.contains("coordinator up"));
    QVERIFY2(!mapsGui(mapsOf(p)), "--serve mapped Qt's GUI or widget libraries");
    // Its first pass wrote the healer's tables into the database it was given.
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(home.filePath(u"p.db"_s)).size() > 0, 10000);
    QCOMPARE(p.state(), QProcess::Running);
    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(p.readAllStandardOutput().contains("stopping"));
}

void TestAppModes::serveRefusesInvalidRegistry()
{
    QString out;
    const QString broken =
        qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/tests/data/broken/registry.yml"_s;
    QCOMPARE(run({u"--serve"_s, u"--registry"_s, broken}, &out), 1);
    QVERIFY(out.contains(u"not starting"_s));
}

void TestAppModes::onlyTheWindowLoadsTheGuiLibraries()
{
    // --cli: the dynamic loader's own account of every library it loaded.
    QProcess cli;
    QProcessEnvironment env = headless();
    env.insert(u"LD_DEBUG"_s, u"files"_s);
    cli.setProcessEnvironment(env);
    cli.start(binary(), {u"--cli"_s, u"--registry"_s, demo(), u"validate"_s});
    QVERIFY(cli.waitForFinished(30000));
    QCOMPARE(cli.exitCode(), 0);
    const QByteArray loaded = cli.readAllStandardError();
    QVERIFY2(loaded.contains("libQt6Core"), "LD_DEBUG=files said nothing here");
    QVERIFY2(!mapsGui(loaded), "--cli loaded Qt's GUI or widget libraries");

    // The window: the same binary loads its module, and the module the widget libraries.
    QTemporaryDir home;
    QProcess window;
    env = headless();
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    env.insert(u"PORTOSER_HOME"_s, home.path());
    env.insert(u"HOME"_s, home.path());
    window.setProcessEnvironment(env);
    window.start(binary(), {u"--local"_s, u"--registry"_s, demo()});
    QVERIFY(window.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(mapsOf(window).contains("portoser-window")
                                 && mapsOf(window).contains("libQt6Widgets"),
                             10000);
    QCOMPARE(window.state(), QProcess::Running);
    window.kill();
    window.waitForFinished(5000);
}

QTEST_GUILESS_MAIN(TestAppModes)
#include "TestAppModes.moc"
