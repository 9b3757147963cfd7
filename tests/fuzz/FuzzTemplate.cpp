// SPDX-License-Identifier: Apache-2.0
// Operator-tool templates: the registration check, then filling an accepted one with a hostile
// argument. A template the check accepts must keep every filled-in word a single quoted word.
#include "core/transport/ShellCommand.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString templ = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    using Portoser::ShellCommand;
    if (ShellCommand::unsafePlaceholder(templ))
        return 0;
    const QString hostile = QStringLiteral("x'; touch /tmp/pwned; echo '$(id)`id`\"\n");
    const QString filled =
        ShellCommand::fill(templ, [&](const QString &) { return ShellCommand::quote(hostile); });
    (void)ShellCommand::placeholders(templ);
    (void)filled;
    return 0;
}
