// SPDX-License-Identifier: Apache-2.0
// The coordinator's HTTP request path: bytes of one connection, cut into pieces the first byte
// chooses (as a network would), through the parser until it refuses or runs out; each whole
// request then through the guard every route is behind (Origin, Host, Content-Type).
#include "server/HttpRequestParser.h"
#include "server/RequestGuard.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const qsizetype piece = qsizetype(data[0] % 16) + 1;
    const QByteArray bytes(reinterpret_cast<const char *>(data) + 1, qsizetype(size) - 1);
    Portoser::HttpRequestParser parser({1024, 4096});
    static const Portoser::RequestGuard guard(QStringList{QStringLiteral("https://ops.example")});
    using Step = Portoser::HttpRequestParser::Step;
    for (qsizetype i = 0; i < bytes.size(); i += piece) {
        parser.feed(bytes.mid(i, piece));
        Step step;
        while ((step = parser.next()) == Step::Complete) {
            const Portoser::HttpRequest request = parser.take();
            if (request.body.size() > 4096 || request.method.isEmpty())
                __builtin_trap(); // the limits and the request line are the parser's promise
            (void)guard.refusal(request, true);
            (void)guard.refusal(request, false);
        }
        if (step == Step::Refused)
            break;
    }
    return 0;
}
