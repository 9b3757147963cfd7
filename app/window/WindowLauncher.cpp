// SPDX-License-Identifier: Apache-2.0
#include "app/window/WindowLauncher.h"

#include "core/Orchestrator.h"
#include "widgets/MainWindow.h"

#include <QApplication>
#include <QMessageBox>
#include <QStatusBar>
#include <QTextStream>
#include <QTimer>

namespace Portoser::WindowLauncher {

using namespace Qt::Literals::StringLiterals;

namespace {

void showLocal(const QString &registry, const QString &message)
{
    auto *window = new MainWindow(registry);
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->show();
    if (!message.isEmpty())
        window->statusBar()->showMessage(message, 30000);
}

} // namespace

int run(const QString &registry, const QString &coordinator, bool local)
{
    QString url = coordinator;
    bool named = false; // by the registry, not by the operator
    if (url.isEmpty() && !local) {
        const CheckedRegistry checked =
            Orchestrator().checkRegistry(MainWindow::registryToOpen(registry));
        url = checked.registry.coordinator.url;
        named = !url.isEmpty();
    }
    if (url.isEmpty()) {
        showLocal(registry, {});
        return QApplication::exec();
    }
    QObject context;
    MainWindow::SignIn signIn;
    signIn.namedByRegistry = named;
    MainWindow::openOnCoordinator(
        url, signIn, &context, [](MainWindow *window) { window->show(); },
        [registry, url, named](const QString &why) {
            if (named) { // the registry's coordinator is away: this computer will do
                showLocal(registry,
                          QCoreApplication::translate(
                              "WindowLauncher",
                              "The registry's coordinator %1 did not answer (%2): working on "
                              "this computer (--local does so without asking).")
                              .arg(url, why));
                return;
            }
            const QString message =
                QCoreApplication::translate("WindowLauncher", "Cannot connect to %1: %2")
                    .arg(url, why);
            QTextStream(stderr) << "portoser: " << message << '\n';
            if (QGuiApplication::platformName() != u"offscreen"_s)
                QMessageBox::critical(nullptr, u"Portoser"_s, message);
            QCoreApplication::exit(1);
        });
    return QApplication::exec();
}

} // namespace Portoser::WindowLauncher
