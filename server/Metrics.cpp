// SPDX-License-Identifier: Apache-2.0
#include "server/Metrics.h"

#include <QStringList>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

/** A label value as the text format wants it: backslash, quote and newline escaped. */
QString escapedLabel(QString value)
{
    value.replace(u'\\', u"\\\\"_s);
    value.replace(u'"', u"\\\""_s);
    value.replace(u'\n', u"\\n"_s);
    return value;
}

} // namespace

void Metrics::recordRequest(const QString &route, const QByteArray &method, int status,
                            double seconds)
{
    ++m_requests[route + u'|' + QString::fromLatin1(method) + u'|' + QString::number(status)];
    ++m_count;
    m_sum += seconds;
    for (size_t i = 0; i < Buckets.size(); ++i) {
        if (seconds <= Buckets[i])
            ++m_bucketCounts[i];
    }
}

QByteArray Metrics::render(const QMap<QString, GaugeFamily> &gauges) const
{
    QByteArray out;
    out += "# HELP portoser_http_requests_total API requests by route, method and status.\n"
           "# TYPE portoser_http_requests_total counter\n";
    for (auto it = m_requests.begin(); it != m_requests.end(); ++it) {
        const QStringList p = it.key().split(u'|');
        out += "portoser_http_requests_total{route=\"" + p.at(0).toUtf8() + "\",method=\""
               + p.at(1).toUtf8() + "\",status=\"" + p.at(2).toUtf8() + "\"} "
               + QByteArray::number(it.value()) + '\n';
    }
    out += "# HELP portoser_http_request_duration_seconds Time to answer an API request.\n"
           "# TYPE portoser_http_request_duration_seconds histogram\n";
    for (size_t i = 0; i < Buckets.size(); ++i)
        out += "portoser_http_request_duration_seconds_bucket{le=\""
               + QByteArray::number(Buckets[i]) + "\"} " + QByteArray::number(m_bucketCounts[i])
               + '\n';
    out += "portoser_http_request_duration_seconds_bucket{le=\"+Inf\"} "
           + QByteArray::number(m_count) + '\n';
    out += "portoser_http_request_duration_seconds_sum " + QByteArray::number(m_sum, 'f', 6) + '\n';
    out += "portoser_http_request_duration_seconds_count " + QByteArray::number(m_count) + '\n';
    out += "# HELP portoser_heal_events_total Self-healing events by kind.\n"
           "# TYPE portoser_heal_events_total counter\n";
    for (auto it = m_healEvents.begin(); it != m_healEvents.end(); ++it)
        out += "portoser_heal_events_total{kind=\"" + it.key().toUtf8() + "\"} "
               + QByteArray::number(it.value()) + '\n';
    for (auto it = gauges.begin(); it != gauges.end(); ++it) {
        const QByteArray name = it.key().toUtf8();
        out += "# HELP " + name + ' ' + it->help.toUtf8() + "\n# TYPE " + name + " gauge\n";
        for (const auto &[labels, value] : it->series) {
            out += name;
            if (!labels.isEmpty()) {
                QStringList pairs;
                for (auto l = labels.begin(); l != labels.end(); ++l)
                    pairs.append(l.key() + u"=\""_s + escapedLabel(l.value()) + u'"');
                out += '{' + pairs.join(u',').toUtf8() + '}';
            }
            out += ' ' + QByteArray::number(value, 'g', 12) + '\n';
        }
    }
    return out;
}

} // namespace Portoser
