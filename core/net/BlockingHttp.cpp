// SPDX-License-Identifier: Apache-2.0
#include "core/net/BlockingHttp.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>

#include <memory>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

Result<HttpAnswer> blockingHttp(QNetworkAccessManager &network, const QNetworkRequest &request,
                                const QByteArray &method, const QByteArray &body,
                                const QString &peer)
{
    QNetworkReply *reply = network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    std::unique_ptr<QNetworkReply, void (*)(QNetworkReply *)> owned(
        reply, [](QNetworkReply *r) { r->deleteLater(); });
    HttpAnswer answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (answer.status == 0)
        return Error{reply->error() == QNetworkReply::OperationCanceledError
                         ? ErrorCode::Timeout
                         : ErrorCode::Unreachable,
                     u"%1: %2"_s.arg(peer, reply->errorString())};
    answer.body = reply->readAll();
    answer.etag = reply->rawHeader("ETag");
    return answer;
}

} // namespace Portoser
