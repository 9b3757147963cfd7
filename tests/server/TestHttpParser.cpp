// SPDX-License-Identifier: Apache-2.0
// The coordinator's HTTP request parser, byte by byte: what it accepts, what it refuses before a
// body is read, and that pipelined requests come out whole and in order. The inputs the outside
// probe used (issue 20, findings 8 and 9) are cases here; tests/fuzz/http holds the fuzz corpus.
#include "server/HttpRequestParser.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace Portoser;
using namespace Qt::Literals::StringLiterals;

using Step = HttpRequestParser::Step;

class TestHttpParser : public QObject
{
    Q_OBJECT

private slots:
    void oneRequestFedByteByByte();
    void pipelinedRequestsComeOutInOrder();
    void connectionKeptAsTheClientAsked_data();
    void connectionKeptAsTheClientAsked();
    void refusedBeforeAnyBodyIsRead_data();
    void refusedBeforeAnyBodyIsRead();
    void expectContinueIsNoticed();
    void fuzzCorpusNeverCrashes();
};

namespace {

Step feedAll(HttpRequestParser &parser, const QByteArray &bytes)
{
    parser.feed(bytes);
    return parser.next();
}

} // namespace

void TestHttpParser::oneRequestFedByteByByte()
{
    const QByteArray raw = "POST /api/v1/deploy?dry=1&x=%20y HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Type: application/json\r\nContent-Length: 18\r\n\r\n"
                           "{\"services\":[\"a\"]}";
    HttpRequestParser parser;
    for (qsizetype i = 0; i + 1 < raw.size(); ++i) {
        parser.feed(raw.mid(i, 1));
        QCOMPARE(int(parser.next()), int(Step::NeedMore));
    }
    parser.feed(raw.right(1));
    QCOMPARE(int(parser.next()), int(Step::Complete));
    const HttpRequest r = parser.take();
    QCOMPARE(r.method, "POST");
    QCOMPARE(r.path, u"/api/v1/deploy"_s);
    QCOMPARE(r.query.queryItemValue(u"x"_s, QUrl::FullyDecoded), u" y"_s);
    QCOMPARE(r.header("content-type"), "application/json");
    QCOMPARE(r.body, "{\"services\":[\"a\"]}");
    QVERIFY(parser.keepAlive());
    QVERIFY(!parser.midRequest());
}

void TestHttpParser::pipelinedRequestsComeOutInOrder()
{
    HttpRequestParser parser;
    parser.feed("GET /one HTTP/1.1\r\nHost: h\r\n\r\nPOST /two HTTP/1.1\r\nHost: h\r\n"
                "Content-Length: 3\r\n\r\nabcGET /three HTTP/1.1\r\nHost: h\r\n\r\nGET /fo");
    QStringList paths;
    while (parser.next() == Step::Complete)
        paths << parser.take().path;
    QCOMPARE(paths, (QStringList{u"/one"_s, u"/two"_s, u"/three"_s}));
    QVERIFY(parser.midRequest()); // the fourth has begun
    parser.feed("ur HTTP/1.1\r\nHost: h\r\n\r\n");
    QCOMPARE(int(parser.next()), int(Step::Complete));
    QCOMPARE(parser.take().path, u"/four"_s);
}

void TestHttpParser::connectionKeptAsTheClientAsked_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<bool>("keep");
    QTest::newRow("1.1") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\n\r\n") << true;
    QTest::newRow("1.1 close") << QByteArray(
        "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                               << false;
    QTest::newRow("1.1 Close, upgrade")
        << QByteArray("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, Close\r\n\r\n") << false;
    QTest::newRow("1.0") << QByteArray("GET / HTTP/1.0\r\n\r\n") << false;
    QTest::newRow("1.0 keep-alive")
        << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << false;
}

void TestHttpParser::connectionKeptAsTheClientAsked()
{
    QFETCH(QByteArray, raw);
    QFETCH(bool, keep);
    HttpRequestParser parser;
    QCOMPARE(int(feedAll(parser, raw)), int(Step::Complete));
    QCOMPARE(parser.keepAlive(), keep);
}

void TestHttpParser::refusedBeforeAnyBodyIsRead_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("status");
    const QByteArray get = "GET / HTTP/1.1\r\nHost: h\r\n";
    // Finding 8: a gigabyte announced is refused on its head alone.
    QTest::newRow("1 GiB body") << get + "Content-Length: 1073741824\r\n\r\n" << 413;
    QTest::newRow("overflowing length") << get + "Content-Length: 99999999999999999999\r\n\r\n"
                                        << 400;
    // Finding 9: duplicate and negative lengths.
    QTest::newRow("two lengths") << get + "Content-Length: 3\r\nContent-Length: 4\r\n\r\n" << 400;
    QTest::newRow("same length twice") << get + "Content-Length: 3\r\nContent-Length: 3\r\n\r\n"
                                       << 400;
    QTest::newRow("list length") << get + "Content-Length: 3, 3\r\n\r\n" << 400;
    QTest::newRow("negative length") << get + "Content-Length: -1\r\n\r\n" << 400;
    QTest::newRow("signed length") << get + "Content-Length: +3\r\n\r\n" << 400;
    QTest::newRow("empty length") << get + "Content-Length:\r\n\r\n" << 400;
    QTest::newRow("chunked") << get + "Transfer-Encoding: chunked\r\n\r\n" << 501;
    QTest::newRow("no host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("two hosts") << get + "Host: evil\r\n\r\n" << 400;
    QTest::newRow("folded header") << get + "X-A: 1\r\n continued\r\n\r\n" << 400;
    QTest::newRow("space before colon") << get + "Content-Length : 3\r\n\r\n" << 400;
    QTest::newRow("bare LF") << QByteArray("GET / HTTP/1.1\nHost: h\r\n\r\n") << 400;
    QTest::newRow("CR before the blank line") << get + "X-A: a\r\r\n\r\n" << 400;
    QTest::newRow("NUL in header") << get + QByteArray("X-A: a\0b\r\n\r\n", 12) << 400;
    QTest::newRow("HTTP/2") << QByteArray("GET / HTTP/2.0\r\nHost: h\r\n\r\n") << 505;
    QTest::newRow("not HTTP") << QByteArray("HELLO\r\n\r\n") << 400;
    QTest::newRow("two spaces") << QByteArray("GET  / HTTP/1.1\r\nHost: h\r\n\r\n") << 400;
    QTest::newRow("no slash") << QByteArray("GET api HTTP/1.1\r\nHost: h\r\n\r\n") << 400;
    QTest::newRow("unknown expect") << get + "Expect: 200-ok\r\n\r\n" << 417;
    QTest::newRow("head too large") << get + "X-Pad: " + QByteArray(70 * 1024, 'a') + "\r\n\r\n"
                                    << 431;
    QTest::newRow("endless head") << get + "X-Pad: " + QByteArray(70 * 1024, 'a') << 431;
}

void TestHttpParser::refusedBeforeAnyBodyIsRead()
{
    QFETCH(QByteArray, head);
    QFETCH(int, status);
    HttpRequestParser parser;
    QCOMPARE(int(feedAll(parser, head)), int(Step::Refused));
    QCOMPARE(parser.refusalStatus(), status);
    QVERIFY(!parser.refusalMessage().isEmpty());
    QVERIFY(!parser.keepAlive());
    // Refused stays refused: nothing after it is read as a request.
    parser.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    QCOMPARE(int(parser.next()), int(Step::Refused));
}

void TestHttpParser::expectContinueIsNoticed()
{
    HttpRequestParser parser;
    parser.feed("POST /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
    QCOMPARE(int(parser.next()), int(Step::NeedMore));
    QVERIFY(parser.wantsContinue());
    parser.feed("{}");
    QCOMPARE(int(parser.next()), int(Step::Complete));
    QVERIFY(!parser.wantsContinue());
    QCOMPARE(parser.take().body, "{}");
    // Never to an HTTP/1.0 client (RFC 9110 10.1.1).
    parser.feed("POST /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
    QCOMPARE(int(parser.next()), int(Step::NeedMore));
    QVERIFY(!parser.wantsContinue());
}

void TestHttpParser::fuzzCorpusNeverCrashes()
{
    // Every input in the fuzz corpus (seeds and what fuzzing found), fed whole and in pieces.
    const QDir corpus(qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/tests/fuzz/corpus/http"_s);
    const QStringList files = corpus.entryList(QDir::Files);
    QVERIFY2(files.size() >= 5, qPrintable(corpus.path()));
    for (const QString &name : files) {
        QFile file(corpus.filePath(name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        for (const qsizetype piece : {bytes.size() + 1, qsizetype(7), qsizetype(1)}) {
            HttpRequestParser parser({4096, 4096});
            for (qsizetype i = 0; i < bytes.size(); i += piece) {
                parser.feed(bytes.mid(i, piece));
                Step step;
                while ((step = parser.next()) == Step::Complete)
                    parser.take();
                if (step == Step::Refused)
                    break;
            }
        }
    }
}

QTEST_GUILESS_MAIN(TestHttpParser)
#include "TestHttpParser.moc"
