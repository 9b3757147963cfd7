// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/net/SseParser.h"
#include "widgets/ClusterLink.h"

#include <QHash>
#include <QJsonValue>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace Portoser {

/**
 * The cluster reached through a coordinator (`portoser --serve`): every read is a call of its
 * HTTP API, every change a job whose steps stream into the deploy panel, and its event stream
 * (`/api/v1/events`, resumed with Last-Event-ID) keeps the window current. It never touches a
 * host, the store or the watchdog itself: the coordinator is the one healer.
 *
 * A lost stream is retried by itself (1 s, doubling to 10 s) and said through
 * connectionChanged; a stream silent for 40 s (the coordinator writes a comment every 15 s) is
 * taken as lost. Every request has a deadline.
 */
class CoordinatorLink : public ClusterLink
{
    Q_OBJECT

public:
    /** `credential`: an API token or an OIDC access token, sent as a Bearer token; empty for a
     *  coordinator that needs none (loopback, no tokens). */
    CoordinatorLink(const QUrl &base, const QByteArray &credential, QObject *parent = nullptr);
    ~CoordinatorLink() override;

    /** Asks who we are (GET /api/v1/whoami) and opens the event stream; the future says
     *  whether the coordinator answered and took the credential. */
    QFuture<Result<void>> connectToCoordinator();
    /** A new credential (a refreshed OIDC token): used from the next request on. */
    void setCredential(const QByteArray &credential);
    bool isConnected() const { return m_streamUp; }
    QByteArray credential() const { return m_credential; }
    QUrl url() const { return m_base; }

    QString where() const override;
    bool isRemote() const override { return true; }
    Role role() const override { return m_role; }
    QString principal() const override { return m_principal; }
    QFuture<CheckedRegistry> loadRegistry(const QString &path) override;
    QFuture<Observation> observe(const Registry &registry, bool fresh) override;
    QFuture<Result<DeployPlan>> planDeploy(const Registry &registry) override;
    QFuture<Result<QList<DeploymentRecord>>>
    deploy(const Registry &registry, const QStringList &services, ProgressFn progress) override;
    QFuture<Result<QList<PlannedService>>> planChanges(const Registry &registry,
                                                       const ChangeSet &changes) override;
    QFuture<ChangeResults> deployChanges(const Registry &registry, const ChangeSet &changes,
                                         CancelFlag cancel, ProgressFn progress) override;
    bool canCancel() const override { return false; }
    QFuture<Result<QList<DeploymentRecord>>> runServiceAction(const Registry &registry,
                                                              const QString &service,
                                                              ServiceAction action,
                                                              ProgressFn progress) override;
    QFuture<Result<QList<DeploymentRecord>>> history(const HistoryQuery &query) override;
    QFuture<Result<DeploymentRecord>> rollback(const Registry &registry, qint64 id) override;
    QFuture<Result<QByteArray>> logs(const Registry &registry, const QString &service,
                                     int lines) override;
    QFuture<Result<DiagnoseResult>> diagnose(const Registry &registry) override;
    QFuture<Result<QList<HealEvent>>> healEvents(int limit) override;

    /** One API call: the answer's JSON, or an Error with the API's message (status 0: no
     *  answer within `timeoutMs`). */
    QFuture<Result<QJsonValue>> request(const QByteArray &method, const QString &path,
                                        const QJsonObject &body = {}, int timeoutMs = 30000);

signals:
    /** A renewed credential (single sign-on): whatever else talks to the coordinator takes it. */
    void credentialChanged(const QByteArray &credential);

private:
    struct TrackedJob
    {
        std::shared_ptr<QPromise<Result<QJsonValue>>> promise;
        ProgressFn progress;
        qsizetype stepsShown = 0;
        bool polling = false;
        bool again = false; // news came while a poll was out: ask once more when it is back
        int misses = 0;     // answers that did not come: the job is given up after a few
    };
    /** Starts a job (POST answered 202) and follows it to its end: the job's result. */
    QFuture<Result<QJsonValue>> runJob(const QString &path, const QJsonObject &body,
                                       ProgressFn progress);
    void pollJob(const QString &id);
    void openStream();
    void onStreamBytes();
    void streamLost(const QString &why);
    void dispatch(const SseEvent &event);

    QUrl m_base;
    QByteArray m_credential;
    Role m_role = Role::Viewer;
    QString m_principal;
    QNetworkAccessManager *m_network;
    QPointer<QNetworkReply> m_stream;
    SseParser m_parser;
    QByteArray m_lastEventId;
    bool m_streamUp = false;
    bool m_closing = false;
    bool m_refused = false; // the stream answered 401/403: the credential no longer works
    int m_retryMs = 1000;
    QTimer m_retry;
    QTimer m_silence; // no byte for this long: the stream is dead even if TCP does not say so
    QTimer m_jobPoll; // every followed job is asked about now and then, stream or not
    QHash<QString, TrackedJob> m_jobs;
};

} // namespace Portoser
