// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QStringList>

namespace Portoser::ConfigDiff {

/**
 * Line diff of two resolved service configs, one line per changed setting in dotted paths:
 * "- port: 8080", "+ port: 9090". Empty when they are the same.
 */
QStringList between(const QJsonObject &before, const QJsonObject &after);

} // namespace Portoser::ConfigDiff
