// SPDX-License-Identifier: Apache-2.0
#include "app/cli/ServerClient.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

ServerClient::ServerClient(QString baseUrl)
    : m_base(std::move(baseUrl))
    , m_token(qgetenv("PORTOSER_TOKEN"))
{
    while (m_base.endsWith(u'/'))
        m_base.chop(1);
}

Result<QJsonObject> ServerClient::request(const QByteArray &method, const QString &path,
                                          const QJsonObject &body) const
{
    QNetworkAccessManager network;
    QNetworkRequest request{QUrl(m_base + path)};
    request.setRawHeader("Content-Type", "application/json");
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    request.setTransferTimeout(30000);
    QNetworkReply *reply = network.sendCustomRequest(
        request, method,
        body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
    if (status == 0)
        return Error{ErrorCode::Unreachable,
                     u"coordinator %1: %2"_s.arg(m_base, reply->errorString())};
    if (status >= 400) {
        const QString message = json.value(u"error"_s).toObject().value(u"message"_s).toString();
        const ErrorCode code = status == 401 || status == 403 ? ErrorCode::PermissionDenied
                               : status == 404                ? ErrorCode::NotFound
                                                              : ErrorCode::Failed;
        return Error{code, u"coordinator %1: %2 (HTTP %3)%4"_s
                               .arg(m_base, message.isEmpty() ? reply->errorString() : message)
                               .arg(status)
                               .arg(status == 401 && m_token.isEmpty() ? u"; set PORTOSER_TOKEN"_s
                                                                       : QString())};
    }
    return json;
}

} // namespace Portoser::Cli
