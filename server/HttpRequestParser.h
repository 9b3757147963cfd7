// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "server/HttpServer.h"

#include <QByteArray>
#include <QString>

namespace Portoser {

struct HttpLimits
{
    qsizetype maxHeadBytes = 64 * 1024;
    qint64 maxBodyBytes = 1 << 20;
};

/**
 * Turns the bytes of one connection into requests, one at a time, and refuses what is not
 * plain HTTP/1.x before any body is read: a head over the limit, a Content-Length that is
 * missing a value, negative, given twice or over the body limit, a chunked body, a folded or
 * malformed header line, a request line that is not three parts. Strict where a lenient reading
 * would let a proxy in front and this server disagree on where a request ends. No sockets here,
 * so it is fuzzed (tests/fuzz) and tested byte by byte.
 */
class HttpRequestParser
{
public:
    enum class Step {
        NeedMore, // nothing whole yet
        Complete, // take() the request
        Refused,  // answer refusalStatus(), then close: the stream cannot be trusted further
    };

    explicit HttpRequestParser(HttpLimits limits = {});

    void feed(const QByteArray &bytes);
    /** Parses what has been fed. After Complete, call again for a pipelined request. */
    Step next();
    HttpRequest take();

    /** The head is read and says `Expect: 100-continue` for a body not here yet. */
    bool wantsContinue() const;
    /** The last request's head asked to keep the connection (HTTP/1.1 without close). */
    bool keepAlive() const { return m_keepAlive; }
    /** Whether some request has begun arriving (bytes are buffered or a head is read). */
    bool midRequest() const { return !m_buffer.isEmpty() || m_headRead; }
    qsizetype buffered() const { return m_buffer.size(); }

    int refusalStatus() const { return m_refusalStatus; }
    QString refusalMessage() const { return m_refusalMessage; }

private:
    Step refuse(int status, const QString &message);
    bool parseHead(const QByteArray &head);

    HttpLimits m_limits;
    QByteArray m_buffer;
    bool m_headRead = false;
    bool m_keepAlive = true;
    bool m_expectContinue = false;
    bool m_http11 = true;
    qint64 m_bodyLength = 0;
    HttpRequest m_request;
    int m_refusalStatus = 0;
    QString m_refusalMessage;
};

} // namespace Portoser
