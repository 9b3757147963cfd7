// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QString>

#include <functional>

namespace Portoser {

class HistoryStore;

/** Opens (on first call) and returns the store a service works on; its error says why not. */
using StoreAccess = std::function<Result<HistoryStore *>()>;

/** Which records `list` returns, newest first. */
struct HistoryQuery
{
    QString service; // empty: all
    int limit = 50;
    int offset = 0;
    qint64 beforeId = 0; // > 0: only older records (keyset paging: every page costs the same)
    QString host;        // empty: all
    QString outcome;     // empty: all (succeeded, failed, rolled_back, cancelled, …)

    /** The newest `limit` records of `service` (all services when empty). */
    static HistoryQuery newest(const QString &service, int limit)
    {
        HistoryQuery q;
        q.service = service;
        q.limit = limit;
        return q;
    }
};

} // namespace Portoser
