// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QMap>
#include <QString>

namespace Portoser::EnvFile {

/**
 * A `.env` file as dotenv tools read it: `KEY=value` lines, an optional `export `, `#` comments,
 * 'single-quoted' literals, "double-quoted" values with \n \t \" \\ escapes, unquoted values
 * trimmed and cut at ` #`. A malformed line is an error naming `where`:line:column.
 */
Result<QMap<QString, QString>> parse(const QByteArray &text, const QString &where);

} // namespace Portoser::EnvFile
