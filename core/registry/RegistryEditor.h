// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/registry/Registry.h"

namespace Portoser {

/**
 * Changes a registry file the way a person would: a minimal text edit of one value, so comments,
 * order and formatting stay as they were. Writes are atomic (temp file, fsync, rename) and the
 * previous file is kept as `<file>.bak`.
 */
class RegistryEditor
{
public:
    /** Sets `current_host` of `service` in whichever file (registry or include) defines it. */
    static Result<void> setCurrentHost(const Service &service, const QString &host);
    /**
     * Adds `VAR: "reference"` entries to the service's `secrets:` map (made when missing) for
     * each VAR it does not have yet, and removes its `env_file:` line when `dropEnvFile`.
     */
    static Result<void> addSecrets(const Service &service, const QMap<QString, QString> &references,
                                   bool dropEnvFile);
    /** A new registry with `host` as its only host and no services yet (the host wizard's);
     *  every typed value is a quoted scalar. */
    static QByteArray newRegistry(const Host &host);
    /** A YAML double-quoted scalar: whatever was typed stays text (no `: `, `#`, `{`, `yes`
     *  surprises), UTF-8 whole, control characters escaped. */
    static QByteArray yamlQuoted(const QString &text);
};

} // namespace Portoser
