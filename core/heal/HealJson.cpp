// SPDX-License-Identifier: Apache-2.0
#include "core/heal/HealJson.h"

#include <QJsonArray>

namespace Portoser::HealJson {

using namespace Qt::Literals::StringLiterals;

QJsonObject diagnosis(const ServiceDiagnosis &d, const QList<Playbook> &playbooks,
                      const HealState &heal)
{
    QJsonObject o = toJson(d);
    QJsonArray problems = o.value(u"problems"_s).toArray();
    for (qsizetype i = 0; i < problems.size(); ++i) {
        QJsonObject p = problems.at(i).toObject();
        p.insert(u"playbook"_s, playbooks.value(i).name.isEmpty()
                                    ? QJsonValue()
                                    : QJsonValue(toJson(playbooks.value(i))));
        problems.replace(i, p);
    }
    o.insert(u"problems"_s, problems);
    o.insert(u"given_up"_s, heal.givenUpAt != 0);
    if (heal.givenUpAt)
        o.insert(u"given_up_reason"_s, heal.givenUpReason);
    o.insert(u"healer_restarts"_s, heal.restarts.size());
    return o;
}

QJsonObject knowledge(const KnowledgeRow &r)
{
    return {{u"fingerprint"_s, r.fingerprint},
            {u"playbook"_s, r.playbook.isEmpty() ? QJsonValue() : QJsonValue(r.playbook)},
            {u"occurrences"_s, r.occurrences},
            {u"worked"_s, r.worked},
            {u"failed"_s, r.failed},
            {u"mean_recover_ms"_s, r.meanRecoverMs()}};
}

} // namespace Portoser::HealJson
