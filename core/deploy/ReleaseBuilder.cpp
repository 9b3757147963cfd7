// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/ReleaseBuilder.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <sys/stat.h>

namespace Portoser {

Result<Release> ReleaseBuilder::build(const QString &registryDir, const QString &source)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    Release release;
    if (!source.isEmpty()) {
        release.sourceDir = QDir::cleanPath(QDir(registryDir).absoluteFilePath(source));
        if (!QFileInfo(release.sourceDir).isDir())
            return Error{
                ErrorCode::NotFound,
                QStringLiteral("source directory %1 does not exist").arg(release.sourceDir)};
        QStringList files;
        QDirIterator it(release.sourceDir, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            files.append(it.next());
        files.sort();
        const QDir base(release.sourceDir);
        for (const QString &path : files) {
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                return Error{ErrorCode::Failed,
                             QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
            struct stat st = {};
            ::stat(QFile::encodeName(path).constData(), &st);
            const QByteArray header = base.relativeFilePath(path).toUtf8() + '\0'
                                      + QByteArray::number(st.st_mode & 07777, 8) + '\0';
            hash.addData(header);
            hash.addData(&file);
            hash.addData(QByteArrayView("\0", 1));
            release.bytes += file.size();
            ++release.files;
        }
    }
    release.id = QString::fromLatin1(hash.result().toHex().left(16));
    return release;
}

} // namespace Portoser
