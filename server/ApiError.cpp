// SPDX-License-Identifier: Apache-2.0
#include "server/ApiError.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Portoser::ApiError {

using namespace Qt::Literals::StringLiterals;

HttpResponse response(int status, const QString &code, const QString &message)
{
    HttpResponse r;
    r.status = status;
    r.body = QJsonDocument(
                 QJsonObject{{u"error"_s, QJsonObject{{u"code"_s, code}, {u"message"_s, message}}}})
                 .toJson(QJsonDocument::Compact);
    return r;
}

HttpResponse response(const Error &error)
{
    return response(httpStatus(error.code), errorCodeName(error.code), error.message);
}

int httpStatus(ErrorCode code)
{
    switch (code) {
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::ParseError:
    case ErrorCode::InvalidInput:
        return 400;
    case ErrorCode::Conflict:
        return 409;
    case ErrorCode::PermissionDenied:
        return 403;
    case ErrorCode::Unreachable:
        return 502;
    case ErrorCode::Timeout:
        return 504;
    case ErrorCode::Failed:
        return 500;
    }
    return 500;
}

} // namespace Portoser::ApiError
