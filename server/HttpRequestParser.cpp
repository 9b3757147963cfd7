// SPDX-License-Identifier: Apache-2.0
#include "server/HttpRequestParser.h"

#include <QUrl>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

/** RFC 9110 token characters (method and header names). */
bool isToken(const QByteArray &text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
        if (!ok)
            return false;
    }
    return true;
}

bool isDigits(const QByteArray &text)
{
    if (text.isEmpty() || text.size() > 18) // 18 digits cannot overflow a qint64
        return false;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

} // namespace

HttpRequestParser::HttpRequestParser(HttpLimits limits)
    : m_limits(limits)
{}

void HttpRequestParser::feed(const QByteArray &bytes)
{
    m_buffer += bytes;
}

HttpRequestParser::Step HttpRequestParser::refuse(int status, const QString &message)
{
    m_refusalStatus = status;
    m_refusalMessage = message;
    m_keepAlive = false;
    return Step::Refused;
}

HttpRequestParser::Step HttpRequestParser::next()
{
    if (m_refusalStatus != 0)
        return Step::Refused;
    if (!m_headRead) {
        // Empty lines before a request line are allowed (RFC 9112 2.2), e.g. after a body.
        qsizetype skip = 0;
        while (m_buffer.size() >= skip + 2 && m_buffer.at(skip) == '\r'
               && m_buffer.at(skip + 1) == '\n')
            skip += 2;
        m_buffer.remove(0, skip);
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0 ? m_buffer.size() > m_limits.maxHeadBytes : end > m_limits.maxHeadBytes)
            return refuse(431, u"request head over %1 KiB"_s.arg(m_limits.maxHeadBytes / 1024));
        if (end < 0)
            return Step::NeedMore;
        m_request = HttpRequest();
        if (!parseHead(m_buffer.left(end)))
            return Step::Refused;
        m_buffer.remove(0, end + 4);
        m_headRead = true;
    }
    if (m_buffer.size() < m_bodyLength)
        return Step::NeedMore;
    m_request.body = m_buffer.left(m_bodyLength);
    m_buffer.remove(0, m_bodyLength);
    m_headRead = false;
    m_expectContinue = false;
    return Step::Complete;
}

HttpRequest HttpRequestParser::take()
{
    return std::exchange(m_request, HttpRequest());
}

bool HttpRequestParser::wantsContinue() const
{
    // RFC 9110 10.1.1: never to an HTTP/1.0 client.
    return m_headRead && m_expectContinue && m_http11 && m_buffer.size() < m_bodyLength;
}

bool HttpRequestParser::parseHead(const QByteArray &head)
{
    QList<QByteArray> lines = head.split('\n');
    for (QByteArray &line : lines) {
        if (&line == &lines.last())
            break; // the blank line's CRLF ended it: any CR left in it is a bare one
        if (!line.endsWith('\r')) {
            refuse(400, u"header lines end with CRLF"_s);
            return false;
        }
        line.chop(1);
    }
    for (const QByteArray &line : std::as_const(lines)) {
        if (line.contains('\r') || line.contains('\0')) {
            refuse(400, u"a bare CR or NUL in the request head"_s);
            return false;
        }
    }
    const QList<QByteArray> start = lines.value(0).split(' ');
    if (start.size() != 3 || !isToken(start.at(0)) || start.at(1).isEmpty()) {
        refuse(400, u"not an HTTP request line (METHOD TARGET HTTP/1.1)"_s);
        return false;
    }
    const QByteArray &version = start.at(2);
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        refuse(version.startsWith("HTTP/") ? 505 : 400,
               u"only HTTP/1.1 and HTTP/1.0 are spoken here"_s);
        return false;
    }
    const QByteArray &target = start.at(1);
    const bool absolute = target.startsWith("http://") || target.startsWith("https://");
    if (!target.startsWith('/') && !absolute) {
        refuse(400, u"the request target must be a path starting with /"_s);
        return false;
    }
    const QUrl url = QUrl::fromEncoded(target);
    if (!url.isValid()) {
        refuse(400, u"the request target is not a valid URL path"_s);
        return false;
    }
    m_http11 = version == "HTTP/1.1";
    m_request.method = start.at(0);
    m_request.path = url.path();
    m_request.query = QUrlQuery(url.query());

    int lengths = 0;
    QByteArray length;
    QByteArray connection;
    bool hasHost = false;
    m_expectContinue = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        if (line.startsWith(' ') || line.startsWith('\t')) {
            refuse(400, u"folded header lines are not accepted"_s);
            return false;
        }
        const qsizetype colon = line.indexOf(':');
        const QByteArray name = line.left(colon);
        if (colon <= 0 || !isToken(name)) {
            refuse(400, u"malformed header line %1"_s.arg(i + 1));
            return false;
        }
        const QByteArray value = line.mid(colon + 1).trimmed();
        m_request.headers.append({name, value});
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
            ++lengths;
            length = value;
        } else if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
            refuse(501, u"a chunked or encoded body is not accepted; send a Content-Length"_s);
            return false;
        } else if (name.compare("Connection", Qt::CaseInsensitive) == 0) {
            connection += value.toLower() + ',';
        } else if (name.compare("Expect", Qt::CaseInsensitive) == 0) {
            if (value.compare("100-continue", Qt::CaseInsensitive) != 0) {
                refuse(417, u"only Expect: 100-continue is understood"_s);
                return false;
            }
            m_expectContinue = true;
        } else if (name.compare("Host", Qt::CaseInsensitive) == 0) {
            if (hasHost) {
                refuse(400, u"Host given more than once"_s);
                return false;
            }
            hasHost = true;
        }
    }
    if (version == "HTTP/1.1" && !hasHost) {
        refuse(400, u"an HTTP/1.1 request needs a Host header"_s);
        return false;
    }
    if (lengths > 1) {
        refuse(400, u"Content-Length given more than once"_s);
        return false;
    }
    m_bodyLength = 0;
    if (lengths == 1) {
        if (!isDigits(length)) {
            refuse(400, u"Content-Length is not a length (digits only, one value)"_s);
            return false;
        }
        m_bodyLength = length.toLongLong();
    }
    if (m_bodyLength > m_limits.maxBodyBytes) {
        refuse(413, u"request body is %1 bytes; the limit is %2"_s.arg(m_bodyLength)
                        .arg(m_limits.maxBodyBytes));
        return false;
    }
    const auto has = [&connection](const char *option) {
        for (const QByteArray &part : connection.split(',')) {
            if (part.trimmed() == option)
                return true;
        }
        return false;
    };
    // HTTP/1.0 closes after the answer (its keep-alive extension is not worth the state).
    m_keepAlive = version == "HTTP/1.1" && !has("close");
    return true;
}

} // namespace Portoser
