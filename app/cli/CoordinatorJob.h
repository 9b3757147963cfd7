// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "app/cli/ServerClient.h"
#include "core/deploy/DeployProgress.h"
#include "core/history/DeploymentRecord.h"
#include "core/registry/Registry.h"

#include <QJsonObject>

#include <optional>

namespace Portoser::Cli {

class CliContext;

/**
 * The CLI's commands that act on hosts, as clients of a coordinator: each posts one job and
 * follows it, printing its steps as they come, so a run through the coordinator reads like one
 * from here.
 */
namespace CoordinatorJob {

/** The coordinator to work through, unless `--local`: the one running on this machine for the
 *  registry (its local socket), else the one the registry names (`coordinator: {url}`, with
 *  PORTOSER_TOKEN); nothing when there is neither. */
std::optional<ServerClient> here(const CliContext &context, const Registry &registry);

/** POSTs `body` to `path` (a route that answers 202 with a job), follows the job's steps into
 *  `progress`, and returns the records it ended with. */
Result<QList<DeploymentRecord>> run(const ServerClient &server, const QString &path,
                                    const QJsonObject &body, const ProgressFn &progress);

} // namespace CoordinatorJob
} // namespace Portoser::Cli
