// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/registry/Service.h"

#include <QJsonObject>
#include <QMap>

#include <functional>

namespace Portoser {

/**
 * How the engine reaches a service's `secrets:`. Both are required of every caller (deploy,
 * restart, the healer): a plan without the versions would see every service with secrets as
 * changed.
 */
struct SecretAccess
{
    /** VAR -> value, fetched on the coordinator just before a deploy; they go only into the env
     *  file on the worker. */
    std::function<Result<QMap<QString, QString>>(const Service &)> values;
    /** VAR -> the version of the secret it names. In the planned config, so a rotated secret
     *  shows in the diff and plans a restart of exactly the services using it. */
    std::function<Result<QJsonObject>(const Service &)> versions;
};

} // namespace Portoser
