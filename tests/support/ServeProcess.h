// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QList>
#include <QPair>
#include <QProcess>
#include <QString>

/** A real `portoser --serve` for tests, on a free loopback port, and a small HTTP client. */
class ServeProcess
{
public:
    ~ServeProcess();

    /** Starts it with `args` (plus --listen 127.0.0.1:PORT, 0: any free one); false when it did
     *  not come up. */
    bool start(const QStringList &args, const QProcessEnvironment &env, quint16 port = 0);
    void stop();
    qint64 pid() const { return m_process.processId(); }
    /** Waits for it to end by itself; its exit code, or -1 on a timeout or a crash. */
    int waitForExit(int ms);
    /** SIGKILL: a crash. */
    void kill();
    /** Everything it printed so far. */
    QString output();
    quint16 port() const { return m_port; }
    QString url(const QString &path) const;

    struct Reply
    {
        int status = 0;
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        QJsonDocument json() const { return QJsonDocument::fromJson(body); }
        QByteArray header(const QByteArray &name) const;
    };
    /** One request; `headers` are sent as given ("Authorization", "Bearer ..."). */
    Reply request(const QByteArray &method, const QString &path, const QByteArray &body = {},
                  const QList<QPair<QByteArray, QByteArray>> &headers = {}) const;

private:
    QProcess m_process;
    QString m_output;
    quint16 m_port = 0;
};
