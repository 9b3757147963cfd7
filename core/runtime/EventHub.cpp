// SPDX-License-Identifier: Apache-2.0
#include "core/runtime/EventHub.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QThread>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

QByteArray ApiEvent::toSse() const
{
    return "id: " + QByteArray::number(id) + "\nevent: " + type.toUtf8()
           + "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}

EventHub::EventHub(int keep, QObject *parent)
    : QObject(parent)
    , m_keep(keep)
{}

void EventHub::publish(const QString &type, const QJsonObject &data)
{
    QJsonObject stamped = data;
    stamped.insert(u"at"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    if (QThread::currentThread() == thread())
        append(type, stamped);
    else
        QMetaObject::invokeMethod(this, [this, type, stamped] { append(type, stamped); });
}

void EventHub::append(const QString &type, const QJsonObject &data)
{
    ApiEvent e{m_nextId++, type, data};
    m_kept.push_back(e);
    while (int(m_kept.size()) > m_keep)
        m_kept.pop_front();
    emit published(e);
}

QList<ApiEvent> EventHub::since(qint64 lastId) const
{
    QList<ApiEvent> out;
    for (const ApiEvent &e : m_kept) {
        if (e.id > lastId)
            out.append(e);
    }
    return out;
}

} // namespace Portoser
