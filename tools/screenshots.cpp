// SPDX-License-Identifier: Apache-2.0
// scripts/screenshots' driver: the real window on the demo cluster (deployed for it on this
// machine), put in the states the README shows, each page grabbed into a PNG:
//   topology.png      the topology with a staged move and its plan
//   deploy.png        a deploy in progress
//   history.png       the history page with a record's details
//   health.png        the health page after Diagnose
//   topology-dark.png the topology in a dark palette, dependency arrows on
//   settings.png      the Settings dialog
//   topology-de.png   the window in German
//   welcome.png       the first start: no registry yet
//   service-menu.png  a service's menu with Start, Stop and Restart
//   connect.png       File › Connect to coordinator…
//   connected.png     a window connected to a coordinator as a viewer
#include "core/Orchestrator.h"
#include "widgets/AppSettings.h"
#include "widgets/ConnectDialog.h"
#include "widgets/CoordinatorLink.h"
#include "widgets/DeployPanel.h"
#include "widgets/HealthPage.h"
#include "widgets/HistoryModel.h"
#include "widgets/HistoryPage.h"
#include "widgets/MainWindow.h"
#include "widgets/SettingsDialog.h"
#include "widgets/StagedMoves.h"
#include "widgets/TopologyView.h"

#include <QAction>
#include <QApplication>
#include <QContextMenuEvent>
#include <QDeadlineTimer>
#include <QDir>
#include <QMenu>
#include <QProcess>
#include <QRegularExpression>
#include <QScreen>
#include <QTabWidget>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QTreeWidget>

#include <cstdio>
#include <functional>

using namespace Portoser;

namespace {

/** Turns the event loop until `done` says so (or `ms` pass). */
bool waitFor(const std::function<bool()> &done, int ms = 20000)
{
    QDeadlineTimer deadline(ms);
    while (!done() && !deadline.hasExpired()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(20);
    }
    return done();
}

void settle(int ms)
{
    waitFor([] { return false; }, ms);
}

} // namespace

/** A dark palette like the ones desktops hand to Qt in dark mode. */
QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x23, 0x25, 0x29), base(0x1b, 0x1c, 0x1f), text(0xe6, 0xe6, 0xe6);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x2c, 0x2f, 0x34));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9e, 0xa6));
    p.setColor(QPalette::Button, QColor(0x31, 0x34, 0x3a));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::Mid, QColor(0x4a, 0x4e, 0x56));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x8e, 0xd8));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::ToolTipBase, window);
    p.setColor(QPalette::ToolTipText, text);
    return p;
}

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    if (argc < 3) {
        std::fprintf(stderr, "usage: portoser_screenshots REGISTRY OUTPUT_DIR [PORTOSER]\n");
        return 2;
    }
    const QString registryPath = QString::fromLocal8Bit(argv[1]);
    const QDir out(QString::fromLocal8Bit(argv[2]));
    const auto save = [&out](QWidget *w, const char *name) {
        const QString file = out.filePath(QString::fromLatin1(name));
        if (!w->grab().save(file))
            std::fprintf(stderr, "cannot write %s\n", qPrintable(file));
        else
            std::printf("wrote %s\n", qPrintable(file));
    };
    {
        Orchestrator o; // the demo runs, so the chips have colours and the history has records
        DeployOptions options;
        options.actor = QStringLiteral("screenshots");
        const auto deployed =
            o.deploy(o.checkRegistry(registryPath).registry, QStringList(), options);
        if (!deployed) {
            std::fprintf(stderr, "deploying the demo failed: %s\n",
                         qPrintable(deployed.error().message));
            return 1;
        }
    }
    MainWindow window(registryPath);
    window.resize(1500, 900);
    window.show();
    auto *pages = window.findChild<QTabWidget *>(QStringLiteral("pagesTabWidget"));
    waitFor([&] { return !window.topology()->chipPosition(QStringLiteral("worker")).isNull(); });
    settle(2500); // the first observation colours the chips

    window.stagedMoves()->stage(
        {QStringLiteral("worker"), QStringLiteral("beta"), QStringLiteral("alpha")});
    window.deployPanel()->plan();
    waitFor([&] { return !window.deployPanel()->isBusy(); });
    settle(300);
    save(&window, "topology.png");

    window.deployPanel()->deploy();
    auto *progress =
        window.deployPanel()->findChild<QTreeWidget *>(QStringLiteral("deployProgress"));
    const auto steps = [progress] { // of the first service of the first host
        const QTreeWidgetItem *host = progress->topLevelItem(0);
        return host && host->childCount() ? host->child(0)->childCount() : 0;
    };
    waitFor([&] { return steps() >= 4 || !window.deployPanel()->isBusy(); });
    save(&window, "deploy.png");
    waitFor([&] { return !window.deployPanel()->isBusy(); }, 60000);

    // A service's menu, open over its chip (a popup: grabbed from the screen with the window).
    QTimer::singleShot(800, [&window, &out] {
        const QRect area = window.frameGeometry();
        const QPixmap shot =
            window.screen()->grabWindow(0, area.x(), area.y(), area.width(), area.height());
        const QString file = out.filePath(QStringLiteral("service-menu.png"));
        std::printf(shot.save(file) ? "wrote %s\n" : "cannot write %s\n", qPrintable(file));
        if (QWidget *menu = QApplication::activePopupWidget())
            menu->close();
    });
    {
        const QPoint at = window.topology()->chipPosition(QStringLiteral("api"));
        QContextMenuEvent menu(QContextMenuEvent::Mouse, at,
                               window.topology()->viewport()->mapToGlobal(at));
        QApplication::sendEvent(window.topology()->viewport(), &menu);
    }

    pages->setCurrentWidget(window.historyPage());
    window.historyPage()->reload();
    waitFor([&] { return window.historyPage()->model()->rowCount() > 0; });
    if (auto *table = window.historyPage()->findChild<QTableView *>(QStringLiteral("historyTable")))
        table->selectRow(0);
    settle(300);
    save(&window, "history.png");

    pages->setCurrentWidget(window.healthPage());
    window.healthPage()->diagnose();
    waitFor([&] { return window.healthPage()->servicesTree()->topLevelItemCount() > 0; });
    settle(300);
    save(&window, "health.png");

    // The same window in a dark palette (what a system in dark mode hands Qt), dependencies on.
    pages->setCurrentIndex(0);
    if (auto *edges = window.findChild<QAction *>(QStringLiteral("dependenciesAction")))
        edges->setChecked(true);
    QApplication::setPalette(darkPalette());
    settle(500);
    save(&window, "topology-dark.png");
    SettingsDialog settings(window.settings(), &window);
    settings.show();
    settle(300);
    save(&settings, "settings.png");
    settings.close();
    QApplication::setPalette(QPalette());

    // The first start: no registry where the window looks.
    MainWindow first(out.filePath(QStringLiteral("no-registry-here/registry.yml")));
    first.resize(1200, 760);
    first.show();
    waitFor([&] { return first.isWelcoming(); });
    settle(300);
    save(&first, "welcome.png");
    first.close();

    ConnectDialog connect({QStringLiteral("https://coordinator.lan:8420")}, &window);
    connect.show();
    settle(300);
    save(&connect, "connect.png");
    connect.close();

    // A window connected to a coordinator on this machine, as a viewer.
    const QString portoser = argc > 3 ? QString::fromLocal8Bit(argv[3]) : QString();
    if (portoser.isEmpty()) {
        std::fprintf(stderr, "usage: portoser_screenshots REGISTRY OUTPUT_DIR PORTOSER\n");
        return 2;
    }
    QProcess token;
    token.start(portoser, {QStringLiteral("--cli"), QStringLiteral("--registry"), registryPath,
                           QStringLiteral("token"), QStringLiteral("create"),
                           QStringLiteral("--role"), QStringLiteral("viewer"),
                           QStringLiteral("--name"), QStringLiteral("screenshots")});
    token.waitForFinished(30000);
    const QByteArray viewer = token.readAllStandardOutput().trimmed();
    QProcess serve;
    serve.setProcessChannelMode(QProcess::MergedChannels);
    serve.start(portoser,
                {QStringLiteral("--serve"), QStringLiteral("--listen"),
                 QStringLiteral("127.0.0.1:0"), QStringLiteral("--registry"), registryPath});
    QString said;
    static const QRegularExpression listening(
        QStringLiteral("listening on (http://127\\.0\\.0\\.1:\\d+)"));
    waitFor([&] {
        serve.waitForReadyRead(50);
        said += QString::fromUtf8(serve.readAll());
        return listening.match(said).hasMatch();
    });
    const QString url = listening.match(said).captured(1);
    if (url.isEmpty() || viewer.isEmpty()) {
        std::fprintf(stderr, "no coordinator for connected.png: %s\n", qPrintable(said));
        return 1;
    }
    auto link = std::make_unique<CoordinatorLink>(QUrl(url), viewer);
    auto connected = link->connectToCoordinator();
    waitFor([&] { return connected.isFinished(); });
    MainWindow remote(std::move(link));
    remote.resize(1500, 900);
    remote.show();
    waitFor([&] { return !remote.topology()->chipPosition(QStringLiteral("worker")).isNull(); });
    settle(3000); // the coordinator's first observation
    remote.stagedMoves()->stage(
        {QStringLiteral("api"), QStringLiteral("beta"), QStringLiteral("alpha")});
    settle(500);
    save(&remote, "connected.png");
    serve.terminate();
    serve.waitForFinished(10000);
    remote.close();

    // German, as Settings › Language selects it for the next start.
    QApplication::setPalette(QPalette());
    installTranslation(QStringLiteral("de"));
    MainWindow german(registryPath);
    german.resize(1500, 900);
    german.show();
    waitFor([&] { return !german.topology()->chipPosition(QStringLiteral("worker")).isNull(); });
    settle(2500);
    save(&german, "topology-de.png");
    return 0;
}
