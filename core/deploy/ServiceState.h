// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Portoser {

/** A service as observed on its host: what `status` prints. */
struct ServiceState
{
    QString service;
    QString host;
    QString state =
        QStringLiteral("unknown"); // running | stopped | dead | not_deployed | unreachable
    QString release;
    qint64 pid = 0;
    qint64 uptimeSeconds = 0;
    QString health; // healthy | unhealthy | "" when not running
    QString error;  // why the host could not be asked
};

} // namespace Portoser
