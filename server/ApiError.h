// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/ErrorCodes.h"
#include "server/HttpServer.h"

namespace Portoser::ApiError {

/** The one error shape of the API: {"error":{"code","message"}}. */
HttpResponse response(int status, const QString &code, const QString &message);
/** A core error with the status and code its ErrorCode maps to. */
HttpResponse response(const Error &error);
int httpStatus(ErrorCode code);

} // namespace Portoser::ApiError
