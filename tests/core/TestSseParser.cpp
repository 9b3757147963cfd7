// SPDX-License-Identifier: Apache-2.0
// The event-stream parser a connected window follows the coordinator with: events split at any
// byte, comments, several data lines, CRLF, ids for Last-Event-ID, and a bound on what a broken
// server can make it hold.
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
};

QTEST_GUILESS_MAIN(TestSseParser)
#include "TestSseParser.moc"
