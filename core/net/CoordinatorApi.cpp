// SPDX-License-Identifier: Apache-2.0
#include "core/net/CoordinatorApi.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>

namespace Portoser::CoordinatorApi {

using namespace Qt::Literals::StringLiterals;

bool mayCarryCredential(const QUrl &url)
{
    if (url.scheme() == u"https"_s)
        return true;
    return url.host() == u"localhost"_s || QHostAddress(url.host()).isLoopback();
}

Error errorOf(int status, const QByteArray &body, const QString &transportError)
{
    const QString message = QJsonDocument::fromJson(body)
                                .object()
                                .value(u"error"_s)
                                .toObject()
                                .value(u"message"_s)
                                .toString();
    const ErrorCode code = status == 401 || status == 403 ? ErrorCode::PermissionDenied
                           : status == 404                ? ErrorCode::NotFound
                           : status == 409                ? ErrorCode::Conflict
                           : status == 400                ? ErrorCode::InvalidInput
                                                          : ErrorCode::Failed;
    if (!message.isEmpty())
        return Error{code, message};
    return Error{code, transportError.isEmpty() ? u"HTTP %1"_s.arg(status)
                                                : u"HTTP %1: %2"_s.arg(status).arg(transportError)};
}

} // namespace Portoser::CoordinatorApi
