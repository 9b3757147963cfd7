// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/HostWorker.h"

#include "core/transport/LocalTransport.h"

#include <QDir>

namespace Portoser {

std::unique_ptr<Transport> TransportSettings::make(const Host &host) const
{
    if (host.isLocal())
        return std::make_unique<LocalTransport>();
    return std::make_unique<SshTransport>(sshTarget(host));
}

SshTarget TransportSettings::sshTarget(const Host &host) const
{
    SshTarget target;
    target.hostName = host.name;
    target.address = host.address();
    target.port = host.sshPort;
    target.user = host.sshUser;
    target.keyFile =
        host.sshKey.startsWith(u"~/") ? QDir::home().filePath(host.sshKey.mid(2)) : host.sshKey;
    target.knownHosts = host.knownHosts.startsWith(u"~/")
                            ? QDir::home().filePath(host.knownHosts.mid(2))
                            : host.knownHosts;
    target.hostKeyPolicy = hostKeyPolicy;
    target.connectTimeout = connectTimeout;
    return target;
}

HostWorker::HostWorker(const Host &host, const TransportSettings &settings)
    : m_host(host)
    , m_settings(settings)
{
    m_thread.setObjectName(QStringLiteral("host-%1").arg(host.name));
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
}

HostWorker::~HostWorker()
{
    // The transport belongs to the worker thread: close it there, then stop the thread.
    QMetaObject::invokeMethod(
        m_context, [this] { m_transport.reset(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

Transport &HostWorker::transport()
{
    if (!m_transport)
        m_transport = m_settings.make(m_host);
    return *m_transport;
}

} // namespace Portoser
