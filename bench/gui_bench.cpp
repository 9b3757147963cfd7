// SPDX-License-Identifier: Apache-2.0
// bench/gui's measurements, offscreen: opening a registry of 20 hosts × 500 services (load and
// check, build the topology, first full paint), dragging a chip over the view, and paging a
// history of 100,000 records through the history table's model. Prints milliseconds.
#include "core/Orchestrator.h"
#include "core/history/HistoryStore.h"
#include "widgets/HistoryModel.h"
#include "widgets/TopologyView.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QMouseEvent>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <cstdio>

using namespace Portoser;

namespace {

constexpr int Hosts = 20, PerHost = 500, Records = 100000;

void line(const char *what, double ms)
{
    std::printf("  %-58s %9.1f ms\n", what, ms);
}

QString writeRegistry(const QTemporaryDir &dir)
{
    QFile file(dir.filePath(QStringLiteral("registry.yml")));
    file.open(QIODevice::WriteOnly);
    QTextStream out(&file);
    out << "hosts:\n";
    for (int h = 1; h <= Hosts; ++h)
        out << "  host" << h << ":\n    ip: 10.0." << h << ".2\n    path: /srv/portoser\n"
            << "    arch: arm64-linux\n";
    out << "services:\n";
    for (int s = 1; s <= Hosts * PerHost; ++s)
        out << "  svc" << s << ":\n    current_host: host" << (s % Hosts) + 1
            << "\n    deployment_type: process\n    command: ./run\n    port: " << 20000 + s
            << "\n";
    return file.fileName();
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QTemporaryDir dir;
    std::printf("GUI, offscreen, %d hosts x %d services; history of %d records:\n", Hosts, PerHost,
                Records);

    // Opening a registry: read and check it (a worker thread does this in the window), then
    // build the topology and paint it once.
    const QString path = writeRegistry(dir);
    QElapsedTimer clock;
    clock.start();
    const CheckedRegistry checked = Orchestrator().checkRegistry(path);
    line("load + check the registry (off the GUI thread)", double(clock.nsecsElapsed()) / 1e6);
    TopologyView view;
    view.resize(1600, 1000);
    view.show();
    clock.restart();
    view.setRegistry(checked.registry);
    const double build = double(clock.nsecsElapsed()) / 1e6;
    line("build the topology (cards and chips)", build);
    clock.restart();
    (void)view.grab();
    const double paint = double(clock.nsecsElapsed()) / 1e6;
    line("first full paint", paint);
    line("=> topology drawn (build + paint; target < 1000 ms)", build + paint);

    // Dragging a chip across the view: each mouse move is one event the GUI thread handles.
    QWidget *viewport = view.viewport();
    const QPoint from = view.chipPosition(QStringLiteral("svc1"));
    const QPoint to = view.hostPosition(QStringLiteral("host7"));
    QMouseEvent press(QEvent::MouseButtonPress, from, viewport->mapToGlobal(from), Qt::LeftButton,
                      Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &press);
    double worst = 0, total = 0;
    constexpr int Moves = 200;
    for (int i = 1; i <= Moves; ++i) {
        const QPoint at = from + (to - from) * i / Moves;
        QMouseEvent move(QEvent::MouseMove, at, viewport->mapToGlobal(at), Qt::NoButton,
                         Qt::LeftButton, Qt::NoModifier);
        clock.restart();
        QApplication::sendEvent(viewport, &move);
        QApplication::processEvents(); // the repaint of what changed, as on a screen
        const double ms = double(clock.nsecsElapsed()) / 1e6;
        worst = std::max(worst, ms);
        total += ms;
    }
    QMouseEvent release(QEvent::MouseButtonRelease, to, viewport->mapToGlobal(to), Qt::LeftButton,
                        Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &release);
    line("drag: one mouse move with its repaint, mean", total / Moves);
    line("drag: one mouse move with its repaint, worst", worst);

    // History: 100,000 records in SQLite, paged by the history table's model.
    auto store = HistoryStore::open(dir.filePath(QStringLiteral("portoser.db")));
    if (!store) {
        std::fprintf(stderr, "cannot open the history: %s\n", qPrintable(store.error().message));
        return 1;
    }
    {
        QSqlDatabase db = QSqlDatabase::database((*store)->connectionName());
        db.transaction();
        QSqlQuery q(db);
        q.prepare(QStringLiteral(
            "INSERT INTO deployments (service, host, action, actor, started_at, ended_at, "
            "outcome, release_id, config, steps) VALUES (?, ?, 'deploy', 'bench', ?, ?, "
            "'succeeded', ?, '{\"command\":\"./run\"}', '[{\"name\":\"prepare\",\"ms\":10}]')"));
        for (int i = 0; i < Records; ++i) {
            q.addBindValue(QStringLiteral("svc%1").arg(i % (Hosts * PerHost) + 1));
            q.addBindValue(QStringLiteral("host%1").arg(i % Hosts + 1));
            q.addBindValue(QStringLiteral("2026-11-29T10:00:00.000Z"));
            q.addBindValue(QStringLiteral("2026-11-29T10:00:01.000Z"));
            q.addBindValue(QStringLiteral("%1").arg(i, 16, 16, QLatin1Char('0')));
            q.exec();
        }
        db.commit();
    }
    HistoryStore &history = **store;
    HistoryModel model([&history](const HistoryQuery &query, auto done) {
        auto page = history.list(query);
        done(page ? *page : QList<DeploymentRecord>(), page ? QString() : page.error().message);
    });
    QTableView table;
    table.setModel(&model);
    table.resize(1200, 800);
    table.show();
    clock.restart();
    model.reload();
    (void)table.grab();
    line("history: first page shown", double(clock.nsecsElapsed()) / 1e6);
    double pageWorst = 0, pageTotal = 0;
    int pages = 0;
    while (model.canFetchMore({})) {
        clock.restart();
        model.fetchMore({});
        const double ms = double(clock.nsecsElapsed()) / 1e6;
        pageWorst = std::max(pageWorst, ms);
        pageTotal += ms;
        ++pages;
    }
    clock.restart();
    table.scrollToBottom();
    (void)table.grab();
    const double bottom = double(clock.nsecsElapsed()) / 1e6;
    std::printf("  history: %d rows paged in %d pages of %d\n", model.rowCount(), pages + 1,
                HistoryModel::PageSize);
    line("history: one more page, mean", pageTotal / std::max(1, pages));
    line("history: one more page, worst", pageWorst);
    line("history: scroll to the 100,000th row and paint", bottom);
    return 0;
}
