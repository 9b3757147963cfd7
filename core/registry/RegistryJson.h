// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Issue.h"
#include "core/registry/Registry.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Portoser::RegistryJson {

/** The JSON shapes that `--json`, the REST API and MCP share, so they cannot drift apart. */
QJsonObject toJson(const SourceLocation &where);
QJsonObject toJson(const Issue &issue);
QJsonArray toJson(const IssueList &issues);
QJsonObject toJson(const Host &host);
/** A service as resolved; secrets appear as references only, never as values. */
QJsonObject toJson(const Service &service);
Host hostFromJson(const QJsonObject &json);
/** The whole registry as the API's GET /api/v1/registry answers it: path, domain, hosts,
 *  services (secrets as references). */
QJsonObject toJson(const Registry &registry);
/** A registry back from that answer (a connected window draws the coordinator's cluster). */
Registry registryFromJson(const QJsonObject &json);
/** The settings a deploy uses, read back from `toJson` output (a history record's config). */
Service serviceFromJson(const QJsonObject &json);

} // namespace Portoser::RegistryJson
