// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QUrl>

/** What every client of a coordinator's HTTP API shares (the window, the CLI, the secrets
 *  store): one rule for where a credential may go, one reading of its error answers. */
namespace Portoser::CoordinatorApi {

/** Whether a credential may travel to `url`: over https, or plain http to this machine only. */
bool mayCarryCredential(const QUrl &url);

/** An error answer as an Error: the API's own message (`{"error": {"code", "message"}}`), else
 *  "HTTP <status>: <transportError>"; the code from the status (401/403 permission, 404 not
 *  found, 409 conflict, 400 invalid input, else failed). */
Error errorOf(int status, const QByteArray &body, const QString &transportError = {});

} // namespace Portoser::CoordinatorApi
