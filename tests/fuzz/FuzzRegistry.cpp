// SPDX-License-Identifier: Apache-2.0
// The registry loader and validator as `POST /api/v1/registry/validate` runs them: posted text,
// no environment, no files (includes refused), YAML limits on.
#include "core/registry/RegistryCheck.h"

#include <QString>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray yaml(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto checked = Portoser::RegistryCheck::posted(yaml, QStringLiteral("fuzz/registry.yml"));
    (void)checked;
    return 0;
}
