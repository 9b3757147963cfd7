// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QNetworkRequest>

class QNetworkAccessManager;

namespace Portoser {

/** One HTTP answer: status (never 0), body and the response headers that callers read. */
struct HttpAnswer
{
    int status = 0;
    QByteArray body;
    QByteArray etag;
};

/**
 * Sends one request and waits for its answer on a local event loop (for core code that runs on
 * worker threads or in the CLI). A failure to get any HTTP answer is an Unreachable (or Timeout)
 * error naming `peer`; HTTP error statuses are answers, for the caller to judge.
 */
Result<HttpAnswer> blockingHttp(QNetworkAccessManager &network, const QNetworkRequest &request,
                                const QByteArray &method, const QByteArray &body,
                                const QString &peer);

} // namespace Portoser
