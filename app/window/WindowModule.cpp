// SPDX-License-Identifier: Apache-2.0
#include "app/window/WindowModule.h"

#include "app/AppIdentity.h"
#include "app/window/WindowLauncher.h"
#include "widgets/AppSettings.h"
#include "widgets/MainWindow.h"

#include <QApplication>

#include <type_traits>

extern "C" Q_DECL_EXPORT int portoser_window_main(int argc, char **argv, const char *registry,
                                                  const char *coordinator, int local)
{
    QApplication app(argc, argv); // it keeps a reference to argc, which outlives it here
    Portoser::setAppIdentity();
    Portoser::installTranslation(Portoser::AppSettings::load().language);
    return Portoser::WindowLauncher::run(QString::fromUtf8(registry),
                                         QString::fromUtf8(coordinator), local != 0);
}

// The type the binary casts the symbol to is this function's.
static_assert(std::is_same_v<PortoserWindowMain, decltype(&portoser_window_main)>);
