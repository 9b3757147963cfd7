// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace Portoser {

class ApiServer;
class Router;

/**
 * /api/v1/secrets: metadata (paths, keys, versions, which services use them) for operators;
 * values only to admins, through the explicit reveal route; changes are admin-only. Every
 * call runs on the reads worker; reveal and changes are audited (values redacted).
 */
void addSecretsRoutes(Router &router, ApiServer &server);

} // namespace Portoser
