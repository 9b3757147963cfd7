// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QCoreApplication>

namespace Portoser {

/** The names QSettings and the platform know the application by, the same in every mode. */
inline void setAppIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Portoser"));
    QCoreApplication::setApplicationName(QStringLiteral("portoser"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PORTOSER_VERSION));
}

} // namespace Portoser
