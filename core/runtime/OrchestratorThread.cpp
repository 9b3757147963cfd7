// SPDX-License-Identifier: Apache-2.0
#include "core/runtime/OrchestratorThread.h"

namespace Portoser {

OrchestratorThread::OrchestratorThread(const OrchestratorSettings &settings, const QString &name,
                                       QObject *parent)
    : QObject(parent)
    , m_context(new QObject)
    , m_settings(settings)
{
    m_thread.setObjectName(name);
    m_context->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
}

OrchestratorThread::~OrchestratorThread()
{
    stop();
}

void OrchestratorThread::stop()
{
    if (m_stopping.exchange(true))
        return;
    QMetaObject::invokeMethod(
        m_context, [this] { m_orchestrator.reset(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void OrchestratorThread::post(Task task)
{
    ++m_pending;
    enqueue(std::move(task));
}

void OrchestratorThread::postLater(Task task)
{
    ++m_pending; // counted from now: pending() already says the caller's work is coming
    QMetaObject::invokeMethod(
        this, [this, task = std::move(task)]() mutable { enqueue(std::move(task)); },
        Qt::QueuedConnection);
}

void OrchestratorThread::enqueue(Task task)
{
    if (m_stopping) { // a postLater that comes after stop(): the thread and its context are gone
        --m_pending;
        return;
    }
    QMetaObject::invokeMethod(m_context, [this, task = std::move(task)] {
        if (m_stopping) {
            --m_pending;
            return;
        }
        if (!m_orchestrator)
            m_orchestrator =
                std::make_unique<Orchestrator>(Interpolator::processEnvironment(), m_settings);
        task(*m_orchestrator);
        --m_pending;
    });
}

void OrchestratorThread::setSettings(const OrchestratorSettings &settings)
{
    post([this, settings](Orchestrator &o) {
        m_settings = settings; // read only on this thread, when the orchestrator is made
        o.setSettings(settings);
    });
}

} // namespace Portoser
