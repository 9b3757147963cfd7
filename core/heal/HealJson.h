// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/heal/Diagnosis.h"
#include "core/heal/HealStore.h"
#include "core/heal/Playbook.h"

#include <QJsonObject>

namespace Portoser::HealJson {

/** A service's diagnosis with the playbook each problem would get and its restart budget state
 *  (`diagnose --json`, the API and MCP share it). */
QJsonObject diagnosis(const ServiceDiagnosis &diagnosis, const QList<Playbook> &playbooks,
                      const HealState &heal);
/** One row of the knowledge base. */
QJsonObject knowledge(const KnowledgeRow &row);

} // namespace Portoser::HealJson
