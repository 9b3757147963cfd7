// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/ServiceState.h"

#include <QJsonObject>

namespace Portoser {

/** The JSON shapes of observed states, shared by the CLI, the API and MCP. */
QJsonObject toJson(const ServiceState &state);
QJsonObject toJson(const HostState &host);

} // namespace Portoser
