// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Portoser {

/** How to reach HashiCorp Vault; from the environment (the variable names Vault's CLI uses). */
struct VaultSettings
{
    QString address;                          // VAULT_ADDR, e.g. https://vault.lan:8200
    QString mount = QStringLiteral("secret"); // PORTOSER_VAULT_MOUNT: the KV v2 mount
    QString prefix;         // PORTOSER_VAULT_PREFIX: put before every path, e.g. "portoser/"
    QString vaultNamespace; // VAULT_NAMESPACE (Enterprise namespaces header)
    QString caFile;         // VAULT_CACERT: trust this CA (PEM) beside the system's
    QString tokenFile;      // PORTOSER_VAULT_TOKEN_FILE: a 0600 file holding the token
    QString roleId;         // VAULT_ROLE_ID: AppRole login instead of a token
    QString secretIdFile;   // PORTOSER_VAULT_SECRET_ID_FILE (or VAULT_SECRET_ID)
    int timeoutMs = 10000;

    bool usesAppRole() const { return !roleId.isEmpty(); }
    friend bool operator==(const VaultSettings &, const VaultSettings &) = default;
};

/** Which secrets backend references without a `local:`/`vault:` prefix go to, and its settings. */
struct SecretsSettings
{
    QString backend = QStringLiteral("local"); // PORTOSER_SECRETS_BACKEND: local | vault
    QString localFile; // PORTOSER_SECRETS_FILE, else ~/.portoser/secrets.enc
    VaultSettings vault;

    static SecretsSettings fromEnvironment();
    friend bool operator==(const SecretsSettings &, const SecretsSettings &) = default;
};

} // namespace Portoser
