// SPDX-License-Identifier: Apache-2.0
// Internal to server/: the connection an HttpExchange answers on (an HttpConnection, over TCP,
// TLS or the coordinator's local socket; a test may give its own).
#pragma once

#include "server/HttpServer.h"

#include <memory>

namespace Portoser {

class HttpWire
{
public:
    virtual ~HttpWire() = default;
    /** A whole answer: status line, `headers` in order, then `body`. */
    virtual void respond(int status, const HttpHeaders &headers, const QByteArray &body) = 0;
    /** The head of an answer whose body is a stream that ends when the connection does. */
    virtual void beginStream(int status, const HttpHeaders &headers) = 0;
    virtual void write(const QByteArray &chunk) = 0;
    virtual bool isOpen() const = 0;
    virtual void close() = 0;
    /** Has `exchange` signal `closed` when the connection goes away. */
    virtual void watch(HttpExchange *exchange) = 0;
};

struct HttpExchange::Private
{
    std::unique_ptr<HttpWire> wire;
    HttpHeaders commonHeaders;
    bool answered = false;
    bool streaming = false;
};

/** An exchange over `wire`, deleted on its own thread when the last holder lets it go. */
std::shared_ptr<HttpExchange> makeExchange(std::unique_ptr<HttpWire> wire, HttpHeaders common);

} // namespace Portoser
