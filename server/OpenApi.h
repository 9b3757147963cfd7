// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>

namespace Portoser {

class Router;

namespace OpenApi {

/** An OpenAPI 3.0 description generated from the routes themselves, so it cannot drift. */
QJsonObject describe(const Router &router);

} // namespace OpenApi

} // namespace Portoser
