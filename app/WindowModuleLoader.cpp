// SPDX-License-Identifier: Apache-2.0
#include "app/WindowModuleLoader.h"

#include "app/window/WindowModule.h"

#include <QDir>
#include <QFileInfo>
#include <QLibrary>
#include <QStringList>
#include <QTextStream>

#if defined(Q_OS_MACOS)
#include <mach-o/dyld.h>
#endif

namespace Portoser::WindowModuleLoader {

using namespace Qt::Literals::StringLiterals;

namespace {

/** This binary's folder, before any application object exists (which would know it). */
QString executableDir(const char *argv0)
{
#if defined(Q_OS_LINUX)
    const QFileInfo self(u"/proc/self/exe"_s);
    if (self.exists())
        return QFileInfo(self.canonicalFilePath()).absolutePath();
#elif defined(Q_OS_MACOS)
    char path[4096];
    uint32_t size = sizeof(path);
    if (_NSGetExecutablePath(path, &size) == 0)
        return QFileInfo(QFileInfo(QString::fromUtf8(path)).canonicalFilePath()).absolutePath();
#endif
    return QFileInfo(QString::fromLocal8Bit(argv0)).absolutePath();
}

QStringList candidates(const QString &dir)
{
    const QString name = QStringLiteral(PORTOSER_WINDOW_MODULE_NAME);
    return {dir + u'/' + name, QDir::cleanPath(dir + u"/../lib/portoser/"_s + name),
            QDir::cleanPath(dir + u"/../PlugIns/"_s + name)};
}

} // namespace

int run(int argc, char **argv, const QString &registry, const QString &coordinator, bool local)
{
    QTextStream err(stderr);
    QStringList tried;
    for (const QString &path : candidates(executableDir(argv[0]))) {
        if (!QFileInfo::exists(path))
            continue;
        QLibrary module(path);
        const auto entry =
            reinterpret_cast<PortoserWindowMain>(module.resolve(PORTOSER_WINDOW_ENTRY));
        if (!entry) {
            tried.append(u"%1 (%2)"_s.arg(path, module.errorString()));
            continue;
        }
        // The module stays loaded until the process exits (QLibrary does not unload on
        // destruction), so nothing it registered with Qt outlives its code.
        return entry(argc, argv, registry.toUtf8().constData(), coordinator.toUtf8().constData(),
                     local ? 1 : 0);
    }
    if (tried.isEmpty())
        tried = candidates(executableDir(argv[0]));
    err << "portoser: the desktop window is not installed with this binary (looked for "
        << tried.join(u", "_s)
        << "); use portoser --cli <command> or portoser --serve, or install the window\n";
    return 1;
}

} // namespace Portoser::WindowModuleLoader
