// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Portoser {

/** Which registry.yml to use when the user did not say: the rule all three front-ends share. */
struct RegistryLocator
{
    QString explicitPath; // --registry
    QString environment;  // PORTOSER_REGISTRY
    QString workingDir;
    QString homeDir;

    /** The process's own --registry-less defaults: its environment, cwd and home. */
    static RegistryLocator fromProcess(const QString &explicitPath);

    /** --registry, then PORTOSER_REGISTRY, then ./registry.yml, then ~/.portoser/registry.yml. */
    QString resolve() const;
    /** Every place `resolve()` looks, in order, for "no registry found" messages. */
    QStringList candidates() const;
};

} // namespace Portoser
