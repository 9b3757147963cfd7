// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace Portoser {

class ApiServer;
class Router;

/** The REST routes under /api/v1 and the coordinator's own /healthz, /readyz and /metrics. */
void addRestRoutes(Router &router, ApiServer &server);

} // namespace Portoser
