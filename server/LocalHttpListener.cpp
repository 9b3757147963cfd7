// SPDX-License-Identifier: Apache-2.0
#include "server/LocalHttpListener.h"

#include "core/runtime/LocalEndpoint.h"
#include "server/HttpConnection.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>

#include <pwd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

QString loginOf(qint64 uid)
{
    struct passwd entry = {};
    struct passwd *found = nullptr;
    char buffer[4096];
    if (::getpwuid_r(uid_t(uid), &entry, buffer, sizeof buffer, &found) == 0 && found)
        return QString::fromLocal8Bit(found->pw_name);
    return u"uid%1"_s.arg(uid);
}

} // namespace

LocalHttpListener::LocalHttpListener(HttpServer::Handler handler, HttpHeaders commonHeaders,
                                     HttpServer::Limits limits, QObject *parent)
    : QObject(parent)
    , m_handler(std::move(handler))
    , m_connections(std::make_unique<HttpConnectionSet>())
{
    m_settings.limits.maxBodyBytes = limits.maxBodyBytes;
    m_settings.idleTimeoutMs = limits.idleTimeoutSeconds * 1000;
    m_settings.commonHeaders = std::move(commonHeaders);
}

LocalHttpListener::~LocalHttpListener()
{
    if (m_server && m_server->isListening()) {
        m_server->close(); // removes the socket file
    }
}

Result<void> LocalHttpListener::listen(const QString &path)
{
    if (auto ok = LocalEndpoint::prepareDirectory(path); !ok)
        return ok.error();
    if (QFileInfo::exists(path)) {
        QLocalSocket probe;
        probe.connectToServer(path);
        if (probe.waitForConnected(500))
            return Error{
                ErrorCode::Conflict,
                u"another coordinator for this registry already answers at %1"_s.arg(path)};
        QLocalServer::removeServer(path); // left by one that did not stop cleanly
    }
    m_server = std::make_unique<QLocalServer>();
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(path))
        return Error{ErrorCode::Failed,
                     u"cannot listen on %1: %2"_s.arg(path, m_server->errorString())};
    m_path = path;
    connect(m_server.get(), &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *socket = m_server->nextPendingConnection())
            accept(socket);
    });
    return {};
}

void LocalHttpListener::accept(QLocalSocket *socket)
{
    const qint64 uid = LocalEndpoint::peerUid(socket->socketDescriptor());
    HttpRequest origin;
    origin.localUser = loginOf(uid);
    origin.peer = QHostAddress(QHostAddress::LocalHost);
    if (!LocalEndpoint::trusted(uid)) {
        (new HttpConnection(socket, origin, m_handler, m_settings))
            ->refuse(403, u"this socket answers only the user the coordinator runs as"_s);
        return;
    }
    m_connections->serve(socket, origin, m_handler, m_settings);
}

void LocalHttpListener::drain()
{
    if (m_server)
        m_server->close();
    m_connections->drain();
}

int LocalHttpListener::pending() const
{
    return m_connections->pending();
}

} // namespace Portoser
