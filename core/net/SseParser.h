// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace Portoser {

/** One server-sent event as the coordinator's /api/v1/events writes it. */
struct SseEvent
{
    QByteArray id;
    QString type = QStringLiteral("message");
    QByteArray data;
};

/**
 * Splits a text/event-stream into events as its bytes arrive in any pieces (the WHATWG
 * format: `field: value` lines, an empty line ends an event, `:` lines are comments). Bounded:
 * an event growing past `maxEventBytes` without ending is dropped, so a broken or hostile
 * server cannot make the client hold unbounded memory.
 */
class SseParser
{
public:
    explicit SseParser(qsizetype maxEventBytes = 4 * 1024 * 1024)
        : m_max(maxEventBytes)
    {}

    /** The events `bytes` completed (and any earlier bytes held back for them). */
    QList<SseEvent> feed(const QByteArray &bytes);
    /** The last id the stream gave, for Last-Event-ID when reconnecting. */
    QByteArray lastId() const { return m_lastId; }

private:
    void takeLine(QByteArray line, QList<SseEvent> &out);

    QByteArray m_pending; // bytes of a line not ended yet
    SseEvent m_event;
    bool m_hasData = false;
    qsizetype m_eventBytes = 0;
    qsizetype m_max;
    QByteArray m_lastId;
};

} // namespace Portoser
