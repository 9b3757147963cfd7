// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QString>

namespace Portoser {

/** A token bucket per client: `rate` requests a second on average, bursts up to `burst`. */
class RateLimiter
{
public:
    RateLimiter(double rate, double burst);

    /** Takes one token for `client`; false when its bucket is empty. */
    bool allow(const QString &client);
    /** Seconds until `client` has a token again. */
    int retryAfterSeconds(const QString &client) const;

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 lastMs = 0;
    };
    double m_rate;
    double m_burst;
    QElapsedTimer m_clock;
    QHash<QString, Bucket> m_buckets;
};

} // namespace Portoser
