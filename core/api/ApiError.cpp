// SPDX-License-Identifier: Apache-2.0
#include "core/api/ApiError.h"

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
    return response(httpStatus(error.code), codeName(error.code), error.message);
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

QString codeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::NotFound:
        return u"not_found"_s;
    case ErrorCode::ParseError:
        return u"parse_error"_s;
    case ErrorCode::InvalidInput:
        return u"invalid_input"_s;
    case ErrorCode::Conflict:
        return u"conflict"_s;
    case ErrorCode::PermissionDenied:
        return u"forbidden"_s;
    case ErrorCode::Unreachable:
        return u"unreachable"_s;
    case ErrorCode::Timeout:
        return u"timeout"_s;
    case ErrorCode::Failed:
        return u"failed"_s;
    }
    return u"failed"_s;
}

} // namespace Portoser::ApiError
