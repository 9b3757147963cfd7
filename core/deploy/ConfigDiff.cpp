// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/ConfigDiff.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>

namespace Portoser::ConfigDiff {

namespace {

void flatten(const QJsonValue &value, const QString &path, QMap<QString, QString> &out)
{
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            flatten(it.value(), path.isEmpty() ? it.key() : path + u'.' + it.key(), out);
    } else if (value.isArray()) {
        out.insert(
            path, QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)));
    } else if (!value.isNull() && !value.isUndefined()) {
        out.insert(path, value.toVariant().toString());
    }
}

} // namespace

QStringList between(const QJsonObject &before, const QJsonObject &after)
{
    QMap<QString, QString> a, b;
    flatten(before, {}, a);
    flatten(after, {}, b);
    QStringList keys = a.keys() + b.keys();
    keys.removeDuplicates();
    keys.sort();
    QStringList lines;
    for (const QString &key : keys) {
        const bool inA = a.contains(key), inB = b.contains(key);
        if (inA && inB && a.value(key) == b.value(key))
            continue;
        if (inA)
            lines.append(QStringLiteral("- %1: %2").arg(key, a.value(key)));
        if (inB)
            lines.append(QStringLiteral("+ %1: %2").arg(key, b.value(key)));
    }
    return lines;
}

} // namespace Portoser::ConfigDiff
