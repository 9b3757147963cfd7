// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QJsonValue>

#include <optional>

namespace Portoser::JsonSchema {

/**
 * Checks `value` against the subset of JSON Schema the tools use: type (object, string,
 * integer, number, boolean, array), properties, required, additionalProperties: false, items,
 * enum, minimum, maximum, minLength, maxLength, pattern. Returns what is wrong and where
 * ("services[1]: expected a string"), or nothing when it fits.
 */
std::optional<QString> validate(const QJsonObject &schema, const QJsonValue &value,
                                const QString &where = {});

/** Whether `schema` only uses what `validate` understands, with an explanation if not. */
std::optional<QString> checkSchema(const QJsonObject &schema);

} // namespace Portoser::JsonSchema
