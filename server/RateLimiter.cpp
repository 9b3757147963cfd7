// SPDX-License-Identifier: Apache-2.0
#include "server/RateLimiter.h"

#include <algorithm>
#include <cmath>

namespace Portoser {

RateLimiter::RateLimiter(double rate, double burst)
    : m_rate(rate)
    , m_burst(burst)
{
    m_clock.start();
}

bool RateLimiter::allow(const QString &client)
{
    const qint64 now = m_clock.elapsed();
    auto it = m_buckets.find(client);
    if (it == m_buckets.end()) {
        if (m_buckets.size() > 10000) // forget idle clients rather than grow without bound
            m_buckets.clear();
        it = m_buckets.insert(client, Bucket{m_burst, now});
    }
    it->tokens = std::min(m_burst, it->tokens + double(now - it->lastMs) * m_rate / 1000.0);
    it->lastMs = now;
    if (it->tokens < 1.0)
        return false;
    it->tokens -= 1.0;
    return true;
}

int RateLimiter::retryAfterSeconds(const QString &client) const
{
    const auto it = m_buckets.constFind(client);
    if (it == m_buckets.cend() || it->tokens >= 1.0)
        return 0;
    return std::max(1, int(std::ceil((1.0 - it->tokens) / m_rate)));
}

} // namespace Portoser
