// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/registry/Registry.h"

#include <QJsonArray>
#include <QJsonObject>

#include <functional>

namespace Portoser {

/**
 * The prompts an assistant operating a cluster is offered: investigate an outage, plan a move,
 * review a deploy plan. Each turns into one user message that names the tools and resources to
 * use, in the order an operator would, with the service's last observed state embedded as a
 * resource (from memory: getting a prompt never contacts a host).
 */
namespace McpPrompts {

/** prompts/list. */
QJsonArray list();

/** prompts/get: InvalidInput for an unknown prompt, a missing argument or an unknown name.
 *  `serviceState` gives a service's JSON as portoser://services/{service} reads it. */
Result<QJsonObject> get(const QString &name, const QJsonObject &arguments, const Registry &registry,
                        const std::function<QJsonObject(const QString &service)> &serviceState);

/** The argument of `prompt` that completes from the registry's names ("service" or "host"),
 *  or empty. */
QString completes(const QString &prompt, const QString &argument);

} // namespace McpPrompts

} // namespace Portoser
