// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/history/DeploymentRecord.h"

#include <QJsonObject>

namespace Portoser::HistoryJson {

/** A record without its config and step outputs, for lists (CLI --json, API, MCP share it). */
QJsonObject summary(const DeploymentRecord &record);
/** A record back from `summary` (what a coordinator's API answers). */
DeploymentRecord fromSummary(const QJsonObject &json);
/** Everything, for `history show`. */
QJsonObject full(const DeploymentRecord &record);
/** A record back from `full`, steps and config included. */
DeploymentRecord fromFull(const QJsonObject &json);

} // namespace Portoser::HistoryJson
