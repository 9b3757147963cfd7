// SPDX-License-Identifier: Apache-2.0
#include "core/heal/HealJson.h"

#include "core/heal/HealService.h"

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

DiagnoseResult diagnoseResultFromJson(const QJsonObject &json)
{
    DiagnoseResult result;
    for (const QJsonValue &v : json.value(u"services"_s).toArray()) {
        const QJsonObject o = v.toObject();
        ServiceDiagnosis d;
        d.service = o.value(u"service"_s).toString();
        d.host = o.value(u"host"_s).toString();
        d.observed.service = d.service;
        d.observed.host = d.host;
        d.observed.state = o.value(u"state"_s).toString(d.observed.state);
        d.observed.health = o.value(u"health"_s).toString();
        d.score = o.value(u"score"_s).toInt(100);
        QList<Playbook> playbooks;
        for (const QJsonValue &pv : o.value(u"problems"_s).toArray()) {
            const QJsonObject p = pv.toObject();
            Problem problem;
            problem.fingerprint = p.value(u"fingerprint"_s).toString();
            problem.confidence = p.value(u"confidence"_s).toInt();
            problem.summary = p.value(u"summary"_s).toString();
            for (const QJsonValue &e : p.value(u"evidence"_s).toArray())
                problem.evidence.append(e.toString());
            d.problems.append(problem);
            Playbook playbook;
            playbook.name = p.value(u"playbook"_s).toObject().value(u"name"_s).toString();
            playbooks.append(playbook);
        }
        result.playbooks.insert(d.service, playbooks);
        result.diagnosis.services.insert(d.service, d);
    }
    return result;
}

HealEvent eventFromJson(const QJsonObject &o)
{
    HealEvent e;
    e.id = o.value(u"id"_s).toInteger();
    e.at = QDateTime::fromString(o.value(u"at"_s).toString(), Qt::ISODateWithMs);
    e.service = o.value(u"service"_s).toString();
    e.host = o.value(u"host"_s).toString();
    for (const auto kind :
         {HealEvent::Kind::Down, HealEvent::Kind::Recovered, HealEvent::Kind::Action,
          HealEvent::Kind::GivenUp, HealEvent::Kind::Report}) {
        if (HealEvent::kindName(kind) == o.value(u"kind"_s).toString())
            e.kind = kind;
    }
    e.fingerprint = o.value(u"fingerprint"_s).toString();
    e.playbook = o.value(u"playbook"_s).toString();
    e.detail = o.value(u"detail"_s).toString();
    e.recordId = o.value(u"record"_s).toInteger();
    return e;
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
