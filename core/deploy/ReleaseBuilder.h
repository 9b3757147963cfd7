// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QString>

namespace Portoser {

/** A release as the coordinator sees it: a source directory and its content id. */
struct Release
{
    QString id;        // first 16 hex digits of the content hash: same content, same id
    QString sourceDir; // empty when the service ships no source
    qint64 bytes = 0;
    int files = 0;
};

/** Hashes a service's `source` directory (paths, modes and contents) into a Release. */
class ReleaseBuilder
{
public:
    /** `source` relative to `registryDir` unless absolute; empty source gives the empty release. */
    static Result<Release> build(const QString &registryDir, const QString &source);
};

} // namespace Portoser
