// SPDX-License-Identifier: Apache-2.0
#include "core/secrets/SecretsSettings.h"

#include "core/secrets/LocalSecretStore.h"

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

SecretsSettings SecretsSettings::fromEnvironment()
{
    auto env = [](const char *name, const QString &fallback = {}) {
        const QString v = qEnvironmentVariable(name);
        return v.isEmpty() ? fallback : v;
    };
    SecretsSettings s;
    s.backend = env("PORTOSER_SECRETS_BACKEND", u"local"_s);
    s.localFile = LocalSecretStore::defaultPath();
    VaultSettings &v = s.vault;
    v.address = env("VAULT_ADDR");
    v.mount = env("PORTOSER_VAULT_MOUNT", u"secret"_s);
    v.prefix = env("PORTOSER_VAULT_PREFIX");
    v.vaultNamespace = env("VAULT_NAMESPACE");
    v.caFile = env("VAULT_CACERT");
    v.tokenFile = env("PORTOSER_VAULT_TOKEN_FILE");
    v.roleId = env("VAULT_ROLE_ID");
    v.secretIdFile = env("PORTOSER_VAULT_SECRET_ID_FILE");
    return s;
}

} // namespace Portoser
