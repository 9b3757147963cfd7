// SPDX-License-Identifier: Apache-2.0
// The .env parser `secrets migrate` reads from hosts.
#include "core/secrets/EnvFile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto parsed = Portoser::EnvFile::parse(text, QStringLiteral("fuzz.env"));
    (void)parsed;
    return 0;
}
