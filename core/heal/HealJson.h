// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/heal/Diagnosis.h"
#include "core/heal/HealStore.h"
#include "core/heal/Playbook.h"

#include <QJsonObject>

namespace Portoser {
struct DiagnoseResult;
}

namespace Portoser::HealJson {

/** A service's diagnosis with the playbook each problem would get and its restart budget state
 *  (`diagnose --json`, the API and MCP share it). */
QJsonObject diagnosis(const ServiceDiagnosis &diagnosis, const QList<Playbook> &playbooks,
                      const HealState &heal);
/** Read back, for a connected window: what `diagnosis` wrote for each service (the state, score,
 *  problems and their playbooks' names; hosts and evidence details beyond that are not kept). */
DiagnoseResult diagnoseResultFromJson(const QJsonObject &json);
HealEvent eventFromJson(const QJsonObject &json);
/** One row of the knowledge base. */
QJsonObject knowledge(const KnowledgeRow &row);

} // namespace Portoser::HealJson
