// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/access/Access.h"
#include "core/registry/Registry.h"

#include <QDateTime>
#include <QJsonObject>

namespace Portoser {

/**
 * An MCP tool an admin registered: a command template run on one host, whose {parameters} are
 * the tool's schema-checked arguments, each substituted as one quoted shell word.
 */
struct OperatorTool
{
    QString name;
    QString description;
    QJsonObject inputSchema;
    QString host;
    QString command;
    Role role = Role::Operator; // who may call it
    QString createdBy;
    QDateTime updatedAt;

    /** From the API's / CLI's JSON ({name, description, input_schema, host, command, role}). */
    static Result<OperatorTool> fromJson(const QJsonObject &json);
    QJsonObject toJson() const;
    /** What makes it unusable with `registry`, if anything (name, schema, placeholders, host). */
    std::optional<QString> problem(const Registry &registry) const;
    /** The script for `arguments` (already checked against the schema). */
    QString script(const Registry &registry, const QJsonObject &arguments) const;
};

/** The operator tools in the coordinator's database (`mcp_tools`). */
class OperatorToolStore
{
public:
    explicit OperatorToolStore(QString connection);

    /** Creates or replaces the tool of that name. */
    Result<void> save(const OperatorTool &tool);
    Result<QList<OperatorTool>> list() const;
    Result<OperatorTool> get(const QString &name) const;
    Result<void> remove(const QString &name);

private:
    QString m_connection;
};

} // namespace Portoser
