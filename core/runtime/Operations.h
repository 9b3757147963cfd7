// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/access/Access.h"
#include "core/access/OperatorTools.h"
#include "core/deploy/ServiceDeployer.h"
#include "core/deploy/ServiceState.h"
#include "core/registry/Registry.h"

#include <QJsonObject>
#include <QJsonValue>

#include <functional>

namespace Portoser {

class Orchestrator;

/** What an operation runs with: its own worker's Orchestrator and a snapshot of the state. */
struct OperationCall
{
    Orchestrator &orchestrator;
    Registry registry;
    QJsonObject arguments; // already checked against the operation's schema
    QString actor;
    QMap<QString, ServiceState> known; // last observed states (the status cache)
    ProgressFn progress;
};

/**
 * One thing the coordinator can do for a caller: the REST routes and the MCP tools are both
 * thin adapters over this catalog, so the two never drift apart. `run` blocks (SSH, SQL) and
 * runs on a worker thread; `job` operations change hosts and run on the job queue.
 */
struct Operation
{
    QString name; // the MCP tool name
    QString title;
    QString description;
    Role role = Role::Viewer;
    bool job = false;         // mutating: runs as a job, audited, needs operator
    bool destructive = false; // stops or replaces something that runs
    QJsonObject inputSchema;
    std::function<Result<QJsonValue>(OperationCall &)> run;
    /** A read that asks hosts (SSH): it runs on a worker of its own, so a slow host never holds
     *  back reads answered from the store or from memory. */
    bool asksHosts = false;
};

namespace Operations {

const QList<Operation> &all();
const Operation *find(const QString &name);
/** Stores an operator's tool (`tools add`, POST /mcp/tools): the catalog's own names are
 *  reserved, the rest is the facade's check. */
Result<void> saveOperatorTool(Orchestrator &orchestrator, const Registry &registry,
                              const OperatorTool &tool);
/** Whether a job's result ({"records": [...]}) left every service it touched succeeded. */
bool allRecordsSucceeded(const QJsonValue &result);

} // namespace Operations

} // namespace Portoser
