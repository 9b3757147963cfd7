// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/ServiceState.h"
#include "core/registry/Service.h"

#include <QJsonObject>

namespace Portoser {

/** The JSON shapes of observed states, shared by the CLI, the API and MCP. */
QJsonObject toJson(const ServiceState &state);
QJsonObject toJson(const HostState &host);
/** Read back what toJson wrote (a coordinator's answer, in a connected window). */
ServiceState serviceStateFromJson(const QJsonObject &json);
HostState hostStateFromJson(const QJsonObject &json);
/** A registry service with its last observed state under "status" (null: never observed). */
QJsonObject serviceWithState(const Service &service, const ServiceState *state);

} // namespace Portoser
