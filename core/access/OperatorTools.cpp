// SPDX-License-Identifier: Apache-2.0
#include "core/access/OperatorTools.h"

#include "core/access/JsonSchema.h"
#include "core/deploy/RemoteScripts.h"
#include "core/transport/ShellCommand.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

Error sqlError(const QString &what, const QSqlQuery &q)
{
    return Error{ErrorCode::Failed, u"tool registry: %1: %2"_s.arg(what, q.lastError().text())};
}

const QString Columns =
    u"name, description, input_schema, host, command, role, created_by, updated_at"_s;

OperatorTool fromQuery(const QSqlQuery &q)
{
    OperatorTool t;
    t.name = q.value(0).toString();
    t.description = q.value(1).toString();
    t.inputSchema = QJsonDocument::fromJson(q.value(2).toByteArray()).object();
    t.host = q.value(3).toString();
    t.command = q.value(4).toString();
    t.role = roleFromString(q.value(5).toString()).value_or(Role::Admin);
    t.createdBy = q.value(6).toString();
    t.updatedAt = QDateTime::fromString(q.value(7).toString(), Qt::ISODateWithMs);
    return t;
}

/** A JSON argument as the text its shell word carries. */
QString argumentText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isBool())
        return v.toBool() ? u"true"_s : u"false"_s;
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 17);
    return QString::fromUtf8(v.isArray()
                                 ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                                 : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
}

} // namespace

Result<OperatorTool> OperatorTool::fromJson(const QJsonObject &json)
{
    OperatorTool t;
    t.name = json.value(u"name"_s).toString();
    t.description = json.value(u"description"_s).toString();
    t.inputSchema = json.value(u"input_schema"_s).toObject();
    if (t.inputSchema.isEmpty())
        t.inputSchema = {{u"type"_s, u"object"_s}, {u"properties"_s, QJsonObject()}};
    t.host = json.value(u"host"_s).toString();
    t.command = json.value(u"command"_s).toString();
    const QString role = json.value(u"role"_s).toString(u"operator"_s);
    const auto parsed = roleFromString(role);
    if (!parsed)
        return Error{ErrorCode::InvalidInput,
                     u"role: '%1' is not viewer, operator or admin"_s.arg(role)};
    t.role = *parsed;
    return t;
}

QJsonObject OperatorTool::toJson() const
{
    return {{u"name"_s, name},
            {u"description"_s, description},
            {u"input_schema"_s, inputSchema},
            {u"host"_s, host},
            {u"command"_s, command},
            {u"role"_s, Portoser::toString(role)},
            {u"created_by"_s, createdBy},
            {u"updated_at"_s, updatedAt.toString(Qt::ISODateWithMs)}};
}

std::optional<QString> OperatorTool::problem(const Registry &registry) const
{
    static const QRegularExpression validName(u"^[a-z][a-z0-9_]{0,63}$"_s);
    if (!validName.match(name).hasMatch())
        return u"name '%1': lower-case letters, digits and _, starting with a letter"_s.arg(name);
    if (description.trimmed().isEmpty())
        return u"description: say what the tool does (the AI client reads it)"_s;
    if (command.trimmed().isEmpty())
        return u"command: empty"_s;
    if (!registry.host(host))
        return u"host '%1' is not in the registry"_s.arg(host);
    if (inputSchema.value(u"type"_s).toString() != u"object")
        return u"input_schema: its type must be object"_s;
    if (const auto bad = JsonSchema::checkSchema(inputSchema))
        return u"input_schema: "_s + *bad;
    const QJsonObject properties = inputSchema.value(u"properties"_s).toObject();
    for (const QString &p : ShellCommand::placeholders(command)) {
        if (p != u"base"_s && !properties.contains(p))
            return u"command uses {%1}, which input_schema does not declare"_s.arg(p);
    }
    if (const auto unsafe = ShellCommand::unsafePlaceholder(command))
        return u"command: "_s + *unsafe;
    return std::nullopt;
}

QString OperatorTool::script(const Registry &registry, const QJsonObject &arguments) const
{
    const Host *h = registry.host(host);
    const QString base = h ? RemoteScripts::pathExpression(h->path) : u"."_s;
    // The caller's values go in out of band: `set --` makes them the positional parameters,
    // each one quoted word, and the template names them only as "$N". Even a construct the
    // registration check did not foresee sees "$1", never the value's text.
    ShellCommand values(u"set"_s);
    values.raw(u"--"_s);
    QStringList order;
    for (const QString &p : ShellCommand::placeholders(command)) {
        if (p == u"base"_s)
            continue;
        order << p;
        values.arg(argumentText(arguments.value(p)));
    }
    return u"cd %1 2>/dev/null || cd\n"_s.arg(base) + values.toString() + u'\n'
           + ShellCommand::fill(command,
                                [&](const QString &param) {
                                    if (param == u"base"_s)
                                        return base;
                                    return u"\"${%1}\""_s.arg(order.indexOf(param) + 1);
                                })
           + u'\n';
}

OperatorToolStore::OperatorToolStore(QString connection)
    : m_connection(std::move(connection))
{}

Result<void> OperatorToolStore::save(const OperatorTool &t)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(
        u"INSERT INTO mcp_tools (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO "
        "UPDATE SET description = excluded.description, input_schema = "
        "excluded.input_schema, host = excluded.host, command = excluded.command, role = "
        "excluded.role, created_by = excluded.created_by, updated_at = excluded.updated_at"_s.arg(
            Columns));
    q.addBindValue(t.name);
    q.addBindValue(t.description);
    q.addBindValue(QString::fromUtf8(QJsonDocument(t.inputSchema).toJson(QJsonDocument::Compact)));
    q.addBindValue(t.host);
    q.addBindValue(t.command);
    q.addBindValue(toString(t.role));
    q.addBindValue(t.createdBy.isNull() ? u""_s : t.createdBy);
    q.addBindValue((t.updatedAt.isValid() ? t.updatedAt : QDateTime::currentDateTimeUtc())
                       .toString(Qt::ISODateWithMs));
    if (!q.exec())
        return sqlError(u"cannot save tool %1"_s.arg(t.name), q);
    return {};
}

Result<QList<OperatorTool>> OperatorToolStore::list() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!q.exec(u"SELECT %1 FROM mcp_tools ORDER BY name"_s.arg(Columns)))
        return sqlError(u"cannot list tools"_s, q);
    QList<OperatorTool> tools;
    while (q.next())
        tools.append(fromQuery(q));
    return tools;
}

Result<OperatorTool> OperatorToolStore::get(const QString &name) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"SELECT %1 FROM mcp_tools WHERE name = ?"_s.arg(Columns));
    q.addBindValue(name);
    if (!q.exec())
        return sqlError(u"cannot read tool %1"_s.arg(name), q);
    if (!q.next())
        return Error{ErrorCode::NotFound, u"no operator tool called %1"_s.arg(name)};
    return fromQuery(q);
}

Result<void> OperatorToolStore::remove(const QString &name)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"DELETE FROM mcp_tools WHERE name = ?"_s);
    q.addBindValue(name);
    if (!q.exec())
        return sqlError(u"cannot remove tool %1"_s.arg(name), q);
    if (q.numRowsAffected() == 0)
        return Error{ErrorCode::NotFound, u"no operator tool called %1"_s.arg(name)};
    return {};
}

} // namespace Portoser
