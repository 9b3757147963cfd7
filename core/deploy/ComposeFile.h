// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace Portoser::ComposeFile {

/**
 * The named docker volumes a compose file's services mount (`data` in `data:/var/lib/app`, or a
 * `type: volume` entry), for one compose service or, when `composeService` is empty, all of them.
 * Bind mounts (a path) are not volumes. Sorted, without repeats; empty for text that is not a
 * compose file.
 */
QStringList namedVolumes(const QByteArray &text, const QString &composeService);

} // namespace Portoser::ComposeFile
