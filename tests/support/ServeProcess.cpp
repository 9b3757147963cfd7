// SPDX-License-Identifier: Apache-2.0
#include "tests/support/ServeProcess.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTimer>

using namespace Qt::Literals::StringLiterals;

ServeProcess::~ServeProcess()
{
    stop();
}

bool ServeProcess::start(const QStringList &args, const QProcessEnvironment &env, quint16 port)
{
    m_output.clear(); // a restart must not find the last run's "listening on"
    m_process.setProcessEnvironment(env);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(qEnvironmentVariable("PORTOSER_BINARY"),
                    QStringList{u"--serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port)} + args);
    static const QRegularExpression listening(u"listening on https?://127\\.0\\.0\\.1:(\\d+)"_s);
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 20000) {
        m_process.waitForReadyRead(200);
        m_output += QString::fromUtf8(m_process.readAll());
        if (const auto m = listening.match(m_output); m.hasMatch()) {
            m_port = quint16(m.captured(1).toUInt());
            return true;
        }
        if (m_process.state() == QProcess::NotRunning)
            return false;
    }
    return false;
}

void ServeProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(10000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    m_output += QString::fromUtf8(m_process.readAll());
}

int ServeProcess::waitForExit(int ms)
{
    if (!m_process.waitForFinished(ms))
        return -1;
    m_output += QString::fromUtf8(m_process.readAll());
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

void ServeProcess::kill()
{
    m_process.kill();
    m_process.waitForFinished(5000);
}

QString ServeProcess::output()
{
    m_output += QString::fromUtf8(m_process.readAll());
    return m_output;
}

QString ServeProcess::url(const QString &path) const
{
    return u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(path);
}

QByteArray ServeProcess::Reply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

ServeProcess::Reply ServeProcess::request(const QByteArray &method, const QString &path,
                                          const QByteArray &body,
                                          const QList<QPair<QByteArray, QByteArray>> &headers) const
{
    QNetworkAccessManager manager;
    QNetworkRequest request{QUrl(url(path))};
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    for (const auto &[key, value] : headers)
        request.setRawHeader(key, value);
    QNetworkReply *reply = manager.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    loop.exec();
    Reply r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.headers = reply->rawHeaderPairs();
    reply->deleteLater();
    return r;
}
