// SPDX-License-Identifier: Apache-2.0
#include "core/runtime/HealLoop.h"

#include "core/Orchestrator.h"
#include "core/net/BlockingHttp.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QTimer>

namespace Portoser {

/** The loop's half on its own thread: the timer, the schedule and the passes. */
class HealLoopWorker : public QObject
{
    Q_OBJECT

public:
    HealLoopWorker(OrchestratorSettings settings, Registry registry)
        : m_settings(std::move(settings))
        , m_registry(std::move(registry))
    {}

    void setRegistry(const Registry &registry)
    {
        m_registry = registry;
        m_due.clear();
    }
    void setObserveOnly(bool observeOnly) { m_observeOnly = observeOnly; }
    void setSettings(const OrchestratorSettings &settings)
    {
        m_settings = settings;
        if (m_orchestrator)
            m_orchestrator->setSettings(settings);
    }
    void setIntervalOverride(int seconds)
    {
        m_override = seconds;
        m_due.clear();
    }
    void setRunning(bool running)
    {
        if (!m_timer) {
            m_orchestrator =
                std::make_unique<Orchestrator>(Interpolator::processEnvironment(), m_settings);
            m_timer = new QTimer(this);
            m_timer->setInterval(
                100); // the schedule's resolution; a tick with nothing due costs nothing
            connect(m_timer, &QTimer::timeout, this, &HealLoopWorker::tick);
        }
        if (running) {
            m_due.clear();
            m_timer->start();
        } else {
            m_timer->stop();
        }
    }
    void stop()
    {
        delete m_timer;
        m_timer = nullptr;
        m_orchestrator.reset(); // its sessions and database connection belong to this thread
    }

signals:
    void event(const Portoser::HealEvent &event);
    void passFinished(int services, int withProblems, qint64 milliseconds);
    void observed(const QList<Portoser::HostState> &hosts);
    void leadershipChanged(bool leads);

private:
    /** Runs a pass over the services whose time has come. A pass blocks this thread, so the
     * timer cannot start another one meanwhile: passes never overlap. */
    void tick()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QStringList due;
        for (const Service &s : m_registry.services) {
            if (!s.heal.enabled)
                continue;
            auto it = m_due.find(s.name);
            if (it == m_due.end() || it.value() <= now) {
                due.append(s.name);
                m_due.insert(
                    s.name,
                    now + 1000LL * (m_override ? m_override : s.health.watchIntervalSeconds));
            }
        }
        if (due.isEmpty())
            return;
        QElapsedTimer clock;
        clock.start();
        // Among coordinators sharing a database only one heals; the others keep observing.
        const bool leads = !m_observeOnly && m_orchestrator->leadsHealer();
        if (!m_leads || leads != *m_leads) {
            m_leads = leads;
            if (!m_observeOnly)
                emit leadershipChanged(leads);
        }
        if (!leads) {
            const QList<HostState> hosts = m_orchestrator->observe(m_registry, due);
            keepMetrics(hosts);
            emit observed(hosts);
            emit passFinished(int(due.size()), 0, clock.elapsed());
            return;
        }
        HealOptions options;
        options.services = due;
        auto report = m_orchestrator->heal(m_registry, options,
                                           [this](const HealEvent &e) { emit event(e); });
        if (!report)
            return;
        int problems = 0;
        for (const ServiceDiagnosis &d : report->diagnosis.services)
            problems += !d.healthy();
        QList<HostState> hosts;
        for (const HostDiagnosis &h : report->diagnosis.hosts) {
            HostState state = h.observed;
            state.services.clear();
            for (const ServiceDiagnosis &d : report->diagnosis.services) {
                if (d.host == state.host)
                    state.services.append(d.observed);
            }
            hosts.append(state);
        }
        keepMetrics(hosts);
        emit observed(hosts);
        emit passFinished(int(report->diagnosis.services.size()), problems, clock.elapsed());
    }

    /** The pass's observations as metrics, by one coordinator of those sharing the database. */
    void keepMetrics(const QList<HostState> &hosts)
    {
        if (hosts.isEmpty() || !m_orchestrator->leadsMetrics())
            return;
        if (auto kept = m_orchestrator->recordMetrics(hosts, QDateTime::currentSecsSinceEpoch());
            !kept)
            qWarning("portoser: %s", qUtf8Printable(kept.error().message));
    }

    OrchestratorSettings m_settings;
    Registry m_registry;
    std::unique_ptr<Orchestrator> m_orchestrator;
    QTimer *m_timer = nullptr;
    QMap<QString, qint64> m_due;
    int m_override = 0;
    bool m_observeOnly = false;
    std::optional<bool> m_leads; // unknown until the first pass
};

std::optional<QString> HealLoop::heldByCoordinator(const Registry &registry)
{
    const QString url = registry.coordinator.url;
    if (url.isEmpty())
        return std::nullopt;
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(url + QStringLiteral("/healthz")));
    request.setTransferTimeout(2000);
    const auto answer = blockingHttp(network, request, "GET", {}, url);
    // Down, or not a Portoser coordinator ({"status": "ok"}): a local watchdog may look after
    // things.
    if (!answer || answer->status != 200
        || QJsonDocument::fromJson(answer->body).object().value(QStringLiteral("status"))
               != QStringLiteral("ok"))
        return std::nullopt;
    return QStringLiteral("the registry names %1 as its coordinator (%2) and it answers: it heals "
                          "this cluster, and one healer per cluster is the rule. Watch it there "
                          "(portoser --connect %1), or remove coordinator: from the registry.")
        .arg(url, registry.coordinator.location.toString());
}

HealLoop::HealLoop(const OrchestratorSettings &settings, const Registry &registry, QObject *parent)
    : QObject(parent)
    , m_worker(new HealLoopWorker(settings, registry))
{
    qRegisterMetaType<Portoser::HealEvent>();
    qRegisterMetaType<QList<Portoser::HostState>>();
    m_thread.setObjectName(QStringLiteral("portoser-heal"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &HealLoopWorker::event, this, &HealLoop::event);
    connect(m_worker, &HealLoopWorker::passFinished, this, &HealLoop::passFinished);
    connect(m_worker, &HealLoopWorker::observed, this, &HealLoop::observed);
    connect(m_worker, &HealLoopWorker::leadershipChanged, this, &HealLoop::leadershipChanged);
    m_thread.start();
}

HealLoop::~HealLoop()
{
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker] { w->stop(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void HealLoop::setSettings(const OrchestratorSettings &settings)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, settings] { w->setSettings(settings); });
}

void HealLoop::setIntervalOverride(int seconds)
{
    QMetaObject::invokeMethod(m_worker,
                              [w = m_worker, seconds] { w->setIntervalOverride(seconds); });
}

void HealLoop::setRegistry(const Registry &registry)
{
    QMetaObject::invokeMethod(m_worker, [w = m_worker, registry] { w->setRegistry(registry); });
}

void HealLoop::setObserveOnly(bool observeOnly)
{
    m_observeOnly = observeOnly;
    QMetaObject::invokeMethod(m_worker,
                              [w = m_worker, observeOnly] { w->setObserveOnly(observeOnly); });
}

void HealLoop::start()
{
    resume();
}

void HealLoop::pause()
{
    m_paused = true;
    QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->setRunning(false); });
}

void HealLoop::resume()
{
    m_paused = false;
    QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->setRunning(true); });
}

} // namespace Portoser

#include "HealLoop.moc"
