// SPDX-License-Identifier: Apache-2.0
#include "core/runtime/LocalEndpoint.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>

#include <unistd.h>

namespace Portoser::LocalEndpoint {

using namespace Qt::Literals::StringLiterals;

QString socketPath(const QString &registryPath)
{
    const QFileInfo info(registryPath);
    const QString canonical =
        info.canonicalFilePath().isEmpty() ? info.absoluteFilePath() : info.canonicalFilePath();
    const QString name = u"serve-%1.sock"_s.arg(QString::fromLatin1(
        QCryptographicHash::hash(canonical.toUtf8(), QCryptographicHash::Sha256).toHex().left(16)));
    const QString home = qEnvironmentVariable("PORTOSER_HOME", QDir::homePath() + u"/.portoser"_s);
    const QString preferred = home + u"/run/"_s + name;
    // sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included.
    if (preferred.toUtf8().size() < 100)
        return preferred;
    return u"/tmp/portoser-%1/%2"_s.arg(::geteuid()).arg(name);
}

} // namespace Portoser::LocalEndpoint
