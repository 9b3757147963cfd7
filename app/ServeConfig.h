// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QStringList>

namespace Portoser {

/**
 * The settings file of `--serve`: `key = value` lines (# comments), each key an option of
 * `--serve` without its dashes (`listen = 0.0.0.0:8420`, `oidc-admin = ops, sre`, `no-heal =
 * true`). It becomes command-line words placed before the real ones, so anything given on the
 * command line wins.
 */
class ServeConfig
{
public:
    /** ~/.config/portoser/serve.conf ($XDG_CONFIG_HOME), else /etc/portoser/serve.conf, if one
     *  exists; else empty. */
    static QString defaultPath();

    /**
     * Reads `path`. `valueOptions` take a value (lists are comma-separated and repeat the
     * option), `flagOptions` take true/false. Errors name the file and line.
     */
    static Result<QStringList> toArguments(const QString &path, const QStringList &valueOptions,
                                           const QStringList &flagOptions);
};

} // namespace Portoser
