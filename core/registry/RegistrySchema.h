// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Host.h"
#include "core/registry/Service.h"

#include <QList>
#include <QStringList>

#include <optional>
#include <variant>

/**
 * The registry's schema: one table of field descriptors per entity. Each row says what a key is
 * called, how its value is read (and so which error a bad value gets), which member it fills,
 * the FieldRules check the validator applies, and how it appears in the JSON snapshot kept with
 * every release. The loader, the validator, the JSON writer/reader and "did you mean" all walk
 * these tables; adding a field is one row (plus its member).
 */
namespace Portoser::RegistrySchema {

enum class Value {
    Text,     // one scalar, ${VAR} expanded
    Port,     // 1-65535
    Duration, // seconds from 30, 30s, 5m, 1h
    Flag,     // true/false, yes/no, on/off
    Count,    // a whole number from `min` to `max`
    List,     // a list of scalars (or one scalar)
    EnvMap,   // NAME: value, NAME a valid variable name
    Custom,   // read by hand in the loader (named here so that key checks know it)
    Ignored,  // accepted and kept out of the way: descriptive keys of upstream registries
};

enum class Json {
    IfSet,  // written when not empty / set
    Always, // written always
    Never,  // not part of the snapshot (human notes)
    Custom, // written and read by hand
};

using Rule = std::optional<QString> (*)(const QString &);

template <typename Entity>
using Slot =
    std::variant<std::monostate, QString Entity::*, int Entity::*, std::optional<int> Entity::*,
                 bool Entity::*, QStringList Entity::*, QMap<QString, QString> Entity::*>;

template <typename Entity>
struct Field
{
    QString key;
    Value value;
    Slot<Entity> slot; // monostate: read and written by hand
    Json json = Json::Never;
    Rule rule = nullptr; // for Text: the validator's check of a written value
    int min = 0;         // for Count
    int max = 0;
};

template <typename Entity>
using Table = QList<Field<Entity>>;

const Table<Host> &hostFields();
const Table<Service> &serviceFields();
const Table<HealthCheck> &healthFields();
const Table<HealPolicy> &healFields();
const Table<ServiceFile> &serviceFileFields();

/** Keys of the sections read by hand. */
const QStringList &topLevelKeys();
/** An included file may be a registry of its own, so its descriptive keys are not errors. */
const QStringList &includedFileKeys();
const QStringList &caddyKeys();
const QStringList &dnsKeys();
const QStringList &coordinatorKeys();
const QStringList &notificationKeys();

template <typename Entity>
QStringList keysOf(const Table<Entity> &table)
{
    QStringList keys;
    keys.reserve(table.size());
    for (const Field<Entity> &field : table)
        keys.append(field.key);
    return keys;
}

/** The known key or name within two edits of `word`, for "did you mean"; empty when none. */
QString nearest(const QString &word, const QStringList &known);

} // namespace Portoser::RegistrySchema
