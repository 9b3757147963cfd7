// SPDX-License-Identifier: Apache-2.0
#include "core/net/SseParser.h"

namespace Portoser {

QList<SseEvent> SseParser::feed(const QByteArray &bytes)
{
    QList<SseEvent> out;
    m_pending += bytes;
    qsizetype start = 0;
    for (;;) {
        const qsizetype end = m_pending.indexOf('\n', start);
        if (end < 0)
            break;
        QByteArray line = m_pending.mid(start, end - start);
        if (line.endsWith('\r'))
            line.chop(1);
        takeLine(std::move(line), out);
        start = end + 1;
    }
    m_pending.remove(0, start);
    if (m_pending.size() > m_max) { // one endless line: drop it and what it belonged to
        m_pending.clear();
        m_event = {};
        m_hasData = false;
        m_eventBytes = 0;
    }
    return out;
}

void SseParser::takeLine(QByteArray line, QList<SseEvent> &out)
{
    if (line.isEmpty()) { // the event ends
        if (m_hasData)
            out.append(m_event);
        m_event = {};
        m_hasData = false;
        m_eventBytes = 0;
        return;
    }
    if (line.startsWith(':'))
        return; // a comment (the server's keep-alive)
    m_eventBytes += line.size();
    if (m_eventBytes > m_max) {
        m_event = {};
        m_hasData = false;
        return;
    }
    const qsizetype colon = line.indexOf(':');
    const QByteArray field = colon < 0 ? line : line.left(colon);
    QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
    if (value.startsWith(' '))
        value.remove(0, 1);
    if (field == "data") {
        if (m_hasData)
            m_event.data += '\n';
        m_event.data += value;
        m_hasData = true;
    } else if (field == "event") {
        m_event.type = QString::fromUtf8(value);
    } else if (field == "id" && !value.contains('\0')) {
        m_event.id = value;
        m_lastId = value;
    }
}

} // namespace Portoser
