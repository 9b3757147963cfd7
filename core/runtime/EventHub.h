// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QObject>

#include <deque>

namespace Portoser {

/** One server-sent event: deploy progress, a health change, a heal action. */
struct ApiEvent
{
    qint64 id = 0;
    QString type; // job | health | heal | registry
    QJsonObject data;

    /** The event in `text/event-stream` framing. */
    QByteArray toSse() const;
};

/**
 * Numbers events and keeps the last ones, so a client that reconnects with `Last-Event-ID`
 * gets what it missed. Lives on the server's thread; `publish` may be called from any thread.
 */
class EventHub : public QObject
{
    Q_OBJECT

public:
    explicit EventHub(int keep = 1000, QObject *parent = nullptr);

    void publish(const QString &type, const QJsonObject &data);
    /** Kept events after `lastId`, oldest first. */
    QList<ApiEvent> since(qint64 lastId) const;
    qint64 lastId() const { return m_nextId - 1; }

signals:
    void published(const Portoser::ApiEvent &event);

private:
    void append(const QString &type, const QJsonObject &data);

    std::deque<ApiEvent> m_kept;
    int m_keep;
    qint64 m_nextId = 1;
};

} // namespace Portoser
