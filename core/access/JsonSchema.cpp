// SPDX-License-Identifier: Apache-2.0
#include "core/access/JsonSchema.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

namespace Portoser::JsonSchema {

using namespace Qt::Literals::StringLiterals;

namespace {

QString at(const QString &where)
{
    return where.isEmpty() ? u"arguments"_s : where;
}

bool isType(const QString &type, const QJsonValue &v)
{
    if (type == u"object")
        return v.isObject();
    if (type == u"array")
        return v.isArray();
    if (type == u"string")
        return v.isString();
    if (type == u"boolean")
        return v.isBool();
    if (type == u"number")
        return v.isDouble();
    if (type == u"integer")
        return v.isDouble() && v.toDouble() == double(qint64(v.toDouble()));
    if (type == u"null")
        return v.isNull();
    return false;
}

} // namespace

std::optional<QString> validate(const QJsonObject &schema, const QJsonValue &value,
                                const QString &where)
{
    const QString type = schema.value(u"type"_s).toString();
    if (!type.isEmpty() && !isType(type, value))
        return u"%1: expected %2"_s.arg(at(where), type == u"integer"  ? u"an integer"_s
                                                   : type == u"object" ? u"an object"_s
                                                   : type == u"array"  ? u"an array"_s
                                                                       : u"a "_s + type);
    if (schema.contains(u"enum"_s) && !schema.value(u"enum"_s).toArray().contains(value))
        return u"%1: must be one of %2"_s.arg(
            at(where),
            QString::fromUtf8(
                QJsonDocument(schema.value(u"enum"_s).toArray()).toJson(QJsonDocument::Compact)));
    if (value.isDouble()) {
        if (schema.contains(u"minimum"_s)
            && value.toDouble() < schema.value(u"minimum"_s).toDouble())
            return u"%1: must be at least %2"_s.arg(at(where)).arg(
                schema.value(u"minimum"_s).toDouble());
        if (schema.contains(u"maximum"_s)
            && value.toDouble() > schema.value(u"maximum"_s).toDouble())
            return u"%1: must be at most %2"_s.arg(at(where)).arg(
                schema.value(u"maximum"_s).toDouble());
    }
    if (value.isString()) {
        const QString s = value.toString();
        if (schema.contains(u"minLength"_s) && s.size() < schema.value(u"minLength"_s).toInt())
            return u"%1: too short (at least %2 characters)"_s.arg(at(where)).arg(
                schema.value(u"minLength"_s).toInt());
        if (schema.contains(u"maxLength"_s) && s.size() > schema.value(u"maxLength"_s).toInt())
            return u"%1: too long (at most %2 characters)"_s.arg(at(where)).arg(
                schema.value(u"maxLength"_s).toInt());
        if (schema.contains(u"pattern"_s)) {
            const QRegularExpression re(schema.value(u"pattern"_s).toString());
            if (!re.isValid() || !re.match(s).hasMatch())
                return u"%1: does not match %2"_s.arg(at(where),
                                                      schema.value(u"pattern"_s).toString());
        }
    }
    if (value.isArray() && schema.contains(u"items"_s)) {
        const QJsonArray a = value.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (auto e = validate(schema.value(u"items"_s).toObject(), a.at(i),
                                  u"%1[%2]"_s.arg(at(where)).arg(i)))
                return e;
        }
    }
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        const QJsonObject properties = schema.value(u"properties"_s).toObject();
        for (const QJsonValue &r : schema.value(u"required"_s).toArray()) {
            if (!o.contains(r.toString()))
                return u"%1: '%2' is required"_s.arg(at(where), r.toString());
        }
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString path = where.isEmpty() ? it.key() : where + u'.' + it.key();
            if (properties.contains(it.key())) {
                if (auto e = validate(properties.value(it.key()).toObject(), it.value(), path))
                    return e;
            } else if (schema.value(u"additionalProperties"_s) == QJsonValue(false)) {
                return u"%1: unknown argument '%2'"_s.arg(at(where), it.key());
            }
        }
    }
    return std::nullopt;
}

std::optional<QString> checkSchema(const QJsonObject &schema)
{
    static const QSet<QString> known{
        u"type"_s,      u"properties"_s, u"required"_s, u"additionalProperties"_s,
        u"items"_s,     u"enum"_s,       u"minimum"_s,  u"maximum"_s,
        u"minLength"_s, u"maxLength"_s,  u"pattern"_s,  u"description"_s,
        u"title"_s,     u"default"_s,    u"$schema"_s};
    for (auto it = schema.begin(); it != schema.end(); ++it) {
        if (!known.contains(it.key()))
            return u"schema keyword '%1' is not supported"_s.arg(it.key());
    }
    const QString type = schema.value(u"type"_s).toString();
    static const QSet<QString> types{u"object"_s, u"array"_s,   u"string"_s, u"boolean"_s,
                                     u"number"_s, u"integer"_s, u"null"_s};
    if (schema.contains(u"type"_s) && !types.contains(type))
        return u"type '%1' is not a JSON Schema type"_s.arg(type);
    const QJsonObject properties = schema.value(u"properties"_s).toObject();
    for (auto it = properties.begin(); it != properties.end(); ++it) {
        if (!it.value().isObject())
            return u"property '%1' must be a schema object"_s.arg(it.key());
        if (auto e = checkSchema(it.value().toObject()))
            return u"property '%1': %2"_s.arg(it.key(), *e);
    }
    if (schema.contains(u"items"_s)) {
        if (auto e = checkSchema(schema.value(u"items"_s).toObject()))
            return u"items: "_s + *e;
    }
    return std::nullopt;
}

} // namespace Portoser::JsonSchema
