// SPDX-License-Identifier: Apache-2.0
// The event-stream parser a connected window follows the coordinator with: events split at any
// byte, comments, several data lines, CRLF, ids for Last-Event-ID, and a bound on what a broken
// server can make it hold.
#include "core/net/CoordinatorApi.h"
#include "core/net/SseParser.h"

#include <QTest>

using namespace Portoser;

class TestSseParser : public QObject
{
    Q_OBJECT

private slots:
    void eventsSplitAnywhere()
    {
        const QByteArray stream = "retry: 3000\n\n: keep-alive\n\nid: 7\nevent: job\n"
                                  "data: {\"job\":\"a\"}\n\nid: 8\r\nevent: health\r\n"
                                  "data: one\r\ndata: two\r\n\r\n";
        for (int cut = 0; cut <= stream.size(); ++cut) {
            SseParser parser;
            QList<SseEvent> events = parser.feed(stream.left(cut));
            events += parser.feed(stream.mid(cut));
            QCOMPARE(events.size(), 2);
            QCOMPARE(events.at(0).type, QStringLiteral("job"));
            QCOMPARE(events.at(0).id, QByteArray("7"));
            QCOMPARE(events.at(0).data, QByteArray("{\"job\":\"a\"}"));
            QCOMPARE(events.at(1).type, QStringLiteral("health"));
            QCOMPARE(events.at(1).data, QByteArray("one\ntwo"));
            QCOMPARE(parser.lastId(), QByteArray("8"));
        }
    }

    void anEndlessEventIsDropped()
    {
        SseParser parser(1024);
        QVERIFY(parser.feed("data: " + QByteArray(4096, 'x')).isEmpty());
        QVERIFY(parser.feed("\n\n").isEmpty()); // what was dropped does not come back
        const QList<SseEvent> after = parser.feed("event: registry\ndata: {}\n\n");
        QCOMPARE(after.size(), 1);
        QCOMPARE(after.first().type, QStringLiteral("registry"));
    }

    // The rules every client of a coordinator shares (the window, the CLI, the secrets store).
    void credentialsGoOnlyOverHttpsOrToThisMachine()
    {
        using CoordinatorApi::mayCarryCredential;
        QVERIFY(mayCarryCredential(QUrl(QStringLiteral("https://coordinator.lan:8420"))));
        QVERIFY(mayCarryCredential(QUrl(QStringLiteral("http://127.0.0.1:8420"))));
        QVERIFY(mayCarryCredential(QUrl(QStringLiteral("http://[::1]:8420"))));
        QVERIFY(mayCarryCredential(QUrl(QStringLiteral("http://localhost:8420"))));
        QVERIFY(!mayCarryCredential(QUrl(QStringLiteral("http://10.0.0.5:8420"))));
        QVERIFY(!mayCarryCredential(QUrl(QStringLiteral("http://coordinator.lan"))));
    }

    void errorAnswersKeepTheApisWords()
    {
        const Error denied = CoordinatorApi::errorOf(
            403, R"({"error": {"code": "forbidden", "message": "token:ci has role viewer"}})");
        QCOMPARE(denied.code, ErrorCode::PermissionDenied);
        QCOMPARE(denied.message, QStringLiteral("token:ci has role viewer"));
        const Error bare =
            CoordinatorApi::errorOf(502, "<html>bad gateway</html>", QStringLiteral("x"));
        QCOMPARE(bare.code, ErrorCode::Failed);
        QCOMPARE(bare.message, QStringLiteral("HTTP 502: x"));
        QCOMPARE(CoordinatorApi::errorOf(404, {}).code, ErrorCode::NotFound);
    }
};

QTEST_GUILESS_MAIN(TestSseParser)
#include "TestSseParser.moc"
