// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/history/DeploymentRecord.h"

#include <QMap>
#include <QStringList>

namespace Portoser {

/** Staged changes: moves (service -> new host) and services to deploy again in place. */
struct ChangeSet
{
    QMap<QString, QString> moves;
    QStringList redeploys;
};

/** What `deployChanges` did: a record per service it ran, and the changes it could not start. */
struct ChangeResults
{
    QList<DeploymentRecord> records;
    QStringList refused; // "service: why"
};

} // namespace Portoser
