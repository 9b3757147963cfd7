// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QCoreApplication>
#include <QString>

namespace Portoser {

/** A duration as people read it: "45 s", "14 min", "3 h 5 min", "2 d 4 h" (never "839 s"). */
inline QString humanDuration(qint64 seconds)
{
    if (seconds < 60)
        return QCoreApplication::translate("Duration", "%1 s").arg(seconds);
    const qint64 minutes = seconds / 60;
    if (minutes < 60)
        return QCoreApplication::translate("Duration", "%1 min").arg(minutes);
    const qint64 hours = minutes / 60;
    if (hours < 24)
        return minutes % 60 ? QCoreApplication::translate("Duration", "%1 h %2 min")
                                  .arg(hours)
                                  .arg(minutes % 60)
                            : QCoreApplication::translate("Duration", "%1 h").arg(hours);
    return hours % 24 ? QCoreApplication::translate("Duration", "%1 d %2 h")
                            .arg(hours / 24)
                            .arg(hours % 24)
                      : QCoreApplication::translate("Duration", "%1 d").arg(hours / 24);
}

} // namespace Portoser
