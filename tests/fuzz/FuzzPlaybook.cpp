// SPDX-License-Identifier: Apache-2.0
// Operator playbooks (the healer's knowledge base) as the loader reads them.
#include "core/heal/Playbook.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray yaml(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto loaded = Portoser::PlaybookLoader::parse(yaml, QStringLiteral("fuzz/playbook.yml"));
    (void)loaded;
    return 0;
}
