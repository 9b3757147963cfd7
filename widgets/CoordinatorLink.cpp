// SPDX-License-Identifier: Apache-2.0
#include "widgets/CoordinatorLink.h"

#include "core/deploy/StateJson.h"
#include "core/heal/HealJson.h"
#include "core/heal/HealService.h"
#include "core/history/HistoryJson.h"
#include "core/net/CoordinatorApi.h"
#include "core/registry/RegistryJson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPromise>
#include <QScopeGuard>
#include <QUrlQuery>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int StreamSilenceMs = 40000; // the coordinator writes a keep-alive every 15 s
constexpr int MaxRetryMs = 10000;

QString pathPart(const QString &name)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(name));
}

QList<DeploymentRecord> recordsOf(const QJsonValue &result)
{
    QList<DeploymentRecord> records;
    for (const QJsonValue &r : result.toObject().value(u"records"_s).toArray())
        records.append(HistoryJson::fromSummary(r.toObject()));
    return records;
}

/** The coordinator's memory of hosts and services, as the observation the window draws. */
Observation fromMemory(const QJsonArray &hosts, const QJsonArray &services)
{
    QMap<QString, HostState> byHost;
    for (const QJsonValue &v : hosts) {
        const QJsonObject o = v.toObject();
        if (o.value(u"observed_at"_s).isNull())
            continue; // never observed yet: the window shows it as unknown
        HostState h = hostStateFromJson(o);
        h.host = o.value(u"name"_s).toString();
        byHost.insert(h.host, h);
    }
    for (const QJsonValue &v : services) {
        const QJsonObject status = v.toObject().value(u"status"_s).toObject();
        if (status.isEmpty())
            continue;
        const ServiceState s = serviceStateFromJson(status);
        auto host = byHost.find(s.host);
        if (host != byHost.end())
            host->services.append(s);
    }
    return {byHost.values(), std::nullopt};
}

} // namespace

CoordinatorLink::CoordinatorLink(const QUrl &base, const QByteArray &credential, QObject *parent)
    : ClusterLink(parent)
    , m_base(base)
    , m_credential(credential)
    , m_network(new QNetworkAccessManager(this))
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &CoordinatorLink::openStream);
    m_silence.setSingleShot(true);
    m_silence.setInterval(StreamSilenceMs);
    connect(&m_silence, &QTimer::timeout, this, [this] {
        if (m_stream)
            m_stream->abort(); // finished() follows: streamLost
    });
    m_jobPoll.setInterval(2000);
    connect(&m_jobPoll, &QTimer::timeout, this, [this] {
        for (const QString &id : m_jobs.keys())
            pollJob(id);
    });
}

CoordinatorLink::~CoordinatorLink()
{
    m_closing = true;
    if (m_stream)
        m_stream->abort();
}

void CoordinatorLink::setCredential(const QByteArray &credential)
{
    m_credential = credential;
    emit credentialChanged(credential);
    if (std::exchange(m_refused, false) && !m_stream) // refused with the old one: try this one
        openStream();
}

QString CoordinatorLink::where() const
{
    return m_base.toDisplayString(QUrl::RemoveUserInfo);
}

QFuture<Result<QJsonValue>> CoordinatorLink::request(const QByteArray &method, const QString &path,
                                                     const QJsonObject &body, int timeoutMs)
{
    auto promise = std::make_shared<QPromise<Result<QJsonValue>>>();
    promise->start();
    QNetworkRequest request(QUrl(m_base.toString(QUrl::StripTrailingSlash) + path));
    request.setTransferTimeout(timeoutMs);
    // A redirect would carry the credential to wherever it points: never follow one.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
    if (!m_credential.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_credential);
    const QByteArray data = method == "GET" || method == "DELETE"
                                ? QByteArray()
                                : QJsonDocument(body).toJson(QJsonDocument::Compact);
    QNetworkReply *reply = m_network->sendCustomRequest(request, method, data);
    const QString where = this->where();
    connect(reply, &QNetworkReply::finished, this, [reply, promise, where] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray bytes = reply->readAll();
        if (status == 0) {
            promise->addResult(Error{
                ErrorCode::Unreachable,
                tr("No answer from the coordinator at %1: %2").arg(where, reply->errorString())});
        } else if (status >= 300) {
            promise->addResult(CoordinatorApi::errorOf(status, bytes, reply->errorString()));
        } else {
            const QJsonDocument doc = QJsonDocument::fromJson(bytes);
            promise->addResult(doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()));
        }
        promise->finish();
    });
    return promise->future();
}

QFuture<Result<void>> CoordinatorLink::connectToCoordinator()
{
    return request("GET", u"/api/v1/whoami"_s, {}, 15000)
        .then(this, [this](const Result<QJsonValue> &me) -> Result<void> {
            if (!me)
                return me.error();
            m_principal = me->toObject().value(u"name"_s).toString();
            m_role =
                roleFromString(me->toObject().value(u"role"_s).toString()).value_or(Role::Viewer);
            openStream();
            return {};
        });
}

// --- the event stream ------------------------------------------------------------------------

void CoordinatorLink::openStream()
{
    if (m_closing || m_stream)
        return;
    QNetworkRequest request(QUrl(m_base.toString(QUrl::StripTrailingSlash) + u"/api/v1/events"_s));
    request.setRawHeader("Accept", "text/event-stream");
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    if (!m_credential.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_credential);
    if (!m_lastEventId.isEmpty())
        request.setRawHeader("Last-Event-ID", m_lastEventId);
    m_parser = SseParser();
    m_stream = m_network->get(request);
    m_silence.start();
    connect(m_stream, &QNetworkReply::readyRead, this, &CoordinatorLink::onStreamBytes);
    connect(m_stream, &QNetworkReply::finished, this, [this, reply = m_stream.data()] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_refused = status == 401 || status == 403;
        const QString why =
            status >= 300
                ? CoordinatorApi::errorOf(status, reply->readAll(), reply->errorString()).message
            : reply->error() != QNetworkReply::NoError
                ? reply->errorString()
                : tr("the coordinator closed the event stream");
        if (m_stream == reply)
            m_stream.clear();
        streamLost(why);
    });
}

void CoordinatorLink::onStreamBytes()
{
    if (!m_stream)
        return;
    m_silence.start();
    const int status = m_stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200) // an error's body is not the stream: finished() says why
        return;
    const QByteArray bytes = m_stream->readAll();
    if (!m_streamUp) {
        m_streamUp = true;
        m_retryMs = 1000;
        for (const QString &id : m_jobs.keys()) // what ended while we were away
            pollJob(id);
        emit connectionChanged(
            true, tr("Connected to %1 as %2 (%3)").arg(where(), m_principal, toString(m_role)));
        // What happened while we were away: the stream replays what it kept since our last
        // event, and a fresh look covers the rest.
        emit registryChanged();
        emit statesChanged();
        emit historyChanged();
    }
    for (const SseEvent &e : m_parser.feed(bytes))
        dispatch(e);
    if (!m_parser.lastId().isEmpty())
        m_lastEventId = m_parser.lastId();
}

void CoordinatorLink::streamLost(const QString &why)
{
    m_silence.stop();
    if (m_closing)
        return;
    const bool wasUp = m_streamUp;
    m_streamUp = false;
    if (m_refused) { // asking again with the same credential would only be refused again
        emit connectionChanged(false, tr("The coordinator at %1 refused this window's "
                                         "credential (%2): connect again to sign in.")
                                          .arg(where(), why));
        return;
    }
    if (wasUp || m_retryMs == 1000)
        emit connectionChanged(
            false, tr("Lost the coordinator at %1 (%2); reconnecting…").arg(where(), why));
    m_retry.start(m_retryMs);
    m_retryMs = std::min(m_retryMs * 2, MaxRetryMs);
}

void CoordinatorLink::dispatch(const SseEvent &event)
{
    const QJsonObject data = QJsonDocument::fromJson(event.data).object();
    if (event.type == u"job.step"_s || event.type == u"job"_s) {
        const QString id = data.value(u"job"_s).toString();
        if (m_jobs.contains(id))
            pollJob(id);
        if (event.type == u"job"_s
            && (data.value(u"state"_s) == u"succeeded"_s || data.value(u"state"_s) == u"failed"_s))
            emit historyChanged();
    } else if (event.type == u"health"_s) {
        emit statesChanged();
    } else if (event.type == u"registry"_s) {
        emit registryChanged();
    } else if (event.type == u"heal"_s) {
        if (data.contains(u"service"_s))
            emit healEvent(HealJson::eventFromJson(data));
        emit statesChanged();
    }
}

// --- jobs ------------------------------------------------------------------------------------

QFuture<Result<QJsonValue>> CoordinatorLink::runJob(const QString &path, const QJsonObject &body,
                                                    ProgressFn progress)
{
    auto promise = std::make_shared<QPromise<Result<QJsonValue>>>();
    promise->start();
    request("POST", path, body).then(this, [this, promise, progress](const Result<QJsonValue> &r) {
        if (!r) {
            promise->addResult(r.error());
            promise->finish();
            return;
        }
        const QString id = r->toObject().value(u"job"_s).toString();
        m_jobs.insert(id, TrackedJob{promise, progress});
        m_jobPoll.start();
        pollJob(id); // steps that came before we knew the id
    });
    return promise->future();
}

void CoordinatorLink::pollJob(const QString &id)
{
    auto tracked = m_jobs.find(id);
    if (tracked == m_jobs.end())
        return;
    if (tracked->polling) {
        tracked->again = true;
        return;
    }
    tracked->polling = true;
    request("GET", u"/api/v1/jobs/"_s + pathPart(id))
        .then(this, [this, id](const Result<QJsonValue> &r) {
            auto job = m_jobs.find(id);
            if (job == m_jobs.end())
                return;
            job->polling = false;
            const auto askAgainIfNews = qScopeGuard([this, id] {
                auto still = m_jobs.find(id);
                if (still != m_jobs.end() && std::exchange(still->again, false))
                    pollJob(id);
            });
            if (!r) {
                const bool gone = r.error().code == ErrorCode::NotFound; // a restart forgot it
                if (!gone && ++job->misses < 30)
                    return; // asked again on the next step, event or tick
                const auto promise = job->promise;
                m_jobs.erase(job);
                promise->addResult(
                    Error{ErrorCode::Unreachable,
                          gone ? tr("the coordinator no longer knows job %1 (it restarted?): its "
                                    "history says how it ended")
                                     .arg(id)
                               : tr("no answer about job %1 for a minute: %2")
                                     .arg(id, r.error().message)});
                promise->finish();
                return;
            }
            job->misses = 0;
            const QJsonObject o = r->toObject();
            const QJsonArray steps = o.value(u"steps"_s).toArray();
            for (; job->stepsShown < steps.size(); ++job->stepsShown) {
                const QJsonObject s = steps.at(job->stepsShown).toObject();
                if (!job->progress)
                    continue;
                DeployProgress p;
                p.service = s.value(u"service"_s).toString();
                p.host = s.value(u"host"_s).toString();
                p.step =
                    deployStepFromString(s.value(u"step"_s).toString()).value_or(DeployStep::Note);
                p.detail = s.value(u"detail"_s).toString();
                job->progress(p);
            }
            const QString state = o.value(u"state"_s).toString();
            if (state != u"succeeded"_s && state != u"failed"_s)
                return;
            const auto promise = job->promise;
            m_jobs.erase(job);
            if (m_jobs.isEmpty())
                m_jobPoll.stop();
            if (o.value(u"result"_s).isNull() || o.value(u"result"_s).isUndefined()) {
                const QJsonValue e = o.value(u"error"_s);
                promise->addResult(Error{ErrorCode::Failed,
                                         e.isObject() ? e[u"message"_s].toString() : e.toString()});
            } else {
                promise->addResult(o.value(u"result"_s));
            }
            promise->finish();
        });
}

// --- the pages' questions --------------------------------------------------------------------

QFuture<CheckedRegistry> CoordinatorLink::loadRegistry(const QString & /*the coordinator's*/)
{
    return request("GET", u"/api/v1/registry"_s).then(this, [this](const Result<QJsonValue> &r) {
        CheckedRegistry checked;
        if (!r) {
            Issue issue;
            issue.where.file = where();
            issue.message = r.error().message;
            checked.issues.append(issue);
            return checked;
        }
        checked.registry = RegistryJson::registryFromJson(r->toObject());
        return checked;
    });
}

QFuture<Observation> CoordinatorLink::observe(const Registry & /*the coordinator's*/, bool fresh)
{
    if (fresh) {
        return request("GET", u"/api/v1/observe"_s, {}, 120000)
            .then(this, [](const Result<QJsonValue> &r) {
                Observation seen;
                if (r) {
                    for (const QJsonValue &h : r->toObject().value(u"hosts"_s).toArray())
                        seen.hosts.append(hostStateFromJson(h.toObject()));
                }
                return seen;
            });
    }
    // What the coordinator's watchdog saw last, from its memory: two cheap reads in a row.
    return request("GET", u"/api/v1/hosts"_s)
        .then(this,
              [this](const Result<QJsonValue> &hosts) {
                  return request("GET", u"/api/v1/services"_s)
                      .then(this, [hosts](const Result<QJsonValue> &services) {
                          if (!hosts || !services)
                              return Observation{};
                          return fromMemory(hosts->toObject().value(u"hosts"_s).toArray(),
                                            services->toObject().value(u"services"_s).toArray());
                      });
              })
        .unwrap();
}

QFuture<Result<DeployPlan>> CoordinatorLink::planDeploy(const Registry &)
{
    return request("POST", u"/api/v1/plan"_s, {}, 120000)
        .then(this, [](const Result<QJsonValue> &r) -> Result<DeployPlan> {
            if (!r)
                return r.error();
            return DeployPlan::fromJson(r->toObject());
        });
}

QFuture<Result<QList<DeploymentRecord>>>
CoordinatorLink::deploy(const Registry &, const QStringList &services, ProgressFn progress)
{
    return runJob(u"/api/v1/deploy"_s, {{u"services"_s, QJsonArray::fromStringList(services)}},
                  progress)
        .then(this, [](const Result<QJsonValue> &r) -> Result<QList<DeploymentRecord>> {
            if (!r)
                return r.error();
            return recordsOf(*r);
        });
}

namespace {

QJsonObject changesJson(const ChangeSet &changes)
{
    QJsonArray moves;
    for (auto it = changes.moves.cbegin(); it != changes.moves.cend(); ++it)
        moves.append(QJsonObject{{u"service"_s, it.key()}, {u"host"_s, it.value()}});
    QJsonObject o;
    if (!moves.isEmpty())
        o.insert(u"moves"_s, moves);
    if (!changes.redeploys.isEmpty())
        o.insert(u"redeploys"_s, QJsonArray::fromStringList(changes.redeploys));
    return o;
}

} // namespace

QFuture<Result<QList<PlannedService>>> CoordinatorLink::planChanges(const Registry &,
                                                                    const ChangeSet &changes)
{
    return request("POST", u"/api/v1/changes/plan"_s, changesJson(changes), 120000)
        .then(this, [](const Result<QJsonValue> &r) -> Result<QList<PlannedService>> {
            if (!r)
                return r.error();
            auto plan = DeployPlan::fromJson(r->toObject());
            if (!plan)
                return plan.error();
            return plan->services;
        });
}

QFuture<ChangeResults> CoordinatorLink::deployChanges(const Registry &, const ChangeSet &changes,
                                                      CancelFlag, ProgressFn progress)
{
    return runJob(u"/api/v1/changes"_s, changesJson(changes), progress)
        .then(this, [](const Result<QJsonValue> &r) {
            ChangeResults done;
            if (!r) {
                done.refused.append(r.error().message);
                return done;
            }
            done.records = recordsOf(*r);
            for (const QJsonValue &v : r->toObject().value(u"refused"_s).toArray())
                done.refused.append(v.toString());
            return done;
        });
}

QFuture<Result<QList<DeploymentRecord>>> CoordinatorLink::runServiceAction(const Registry &,
                                                                           const QString &service,
                                                                           ServiceAction action,
                                                                           ProgressFn progress)
{
    const QString verb = action == ServiceAction::Stop    ? u"stop"_s
                         : action == ServiceAction::Start ? u"start"_s
                                                          : u"restart"_s;
    return runJob(u"/api/v1/services/%1/%2"_s.arg(pathPart(service), verb), {}, progress)
        .then(this, [](const Result<QJsonValue> &r) -> Result<QList<DeploymentRecord>> {
            if (!r)
                return r.error();
            return recordsOf(*r);
        });
}

QFuture<Result<QList<DeploymentRecord>>> CoordinatorLink::history(const HistoryQuery &query)
{
    QUrlQuery q;
    if (!query.service.isEmpty())
        q.addQueryItem(u"service"_s, query.service);
    q.addQueryItem(u"limit"_s, QString::number(query.limit));
    q.addQueryItem(u"offset"_s, QString::number(query.offset));
    q.addQueryItem(u"full"_s, u"true"_s);
    return request("GET", u"/api/v1/history?"_s + q.toString(QUrl::FullyEncoded))
        .then(this, [](const Result<QJsonValue> &r) -> Result<QList<DeploymentRecord>> {
            if (!r)
                return r.error();
            QList<DeploymentRecord> records;
            for (const QJsonValue &v : r->toObject().value(u"records"_s).toArray())
                records.append(HistoryJson::fromFull(v.toObject()));
            return records;
        });
}

QFuture<Result<DeploymentRecord>> CoordinatorLink::rollback(const Registry &, qint64 id)
{
    return runJob(u"/api/v1/history/%1/rollback"_s.arg(id), {}, {})
        .then(this, [](const Result<QJsonValue> &r) -> Result<DeploymentRecord> {
            if (!r)
                return r.error();
            const QList<DeploymentRecord> records = recordsOf(*r);
            if (records.isEmpty())
                return Error{ErrorCode::Failed, tr("the rollback returned no record")};
            return records.first();
        });
}

QFuture<Result<QByteArray>> CoordinatorLink::logs(const Registry &, const QString &service,
                                                  int lines)
{
    return request("GET", u"/api/v1/services/%1/logs?lines=%2"_s.arg(pathPart(service)).arg(lines),
                   {}, 60000)
        .then(this, [](const Result<QJsonValue> &r) -> Result<QByteArray> {
            if (!r)
                return r.error();
            return r->toObject().value(u"log"_s).toString().toUtf8();
        });
}

QFuture<Result<DiagnoseResult>> CoordinatorLink::diagnose(const Registry &)
{
    return request("GET", u"/api/v1/diagnose"_s, {}, 120000)
        .then(this, [](const Result<QJsonValue> &r) -> Result<DiagnoseResult> {
            if (!r)
                return r.error();
            return HealJson::diagnoseResultFromJson(r->toObject());
        });
}

QFuture<Result<QList<HealEvent>>> CoordinatorLink::healEvents(int limit)
{
    return request("GET", u"/api/v1/heal/events?limit=%1"_s.arg(limit))
        .then(this, [](const Result<QJsonValue> &r) -> Result<QList<HealEvent>> {
            if (!r)
                return r.error();
            QList<HealEvent> events;
            for (const QJsonValue &v : r->toObject().value(u"events"_s).toArray())
                events.append(HealJson::eventFromJson(v.toObject()));
            return events;
        });
}

} // namespace Portoser
