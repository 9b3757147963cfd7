// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

namespace Portoser {

/** The stable name of an error code, as JSON answers, job records and exit summaries carry it
 *  ("not_found", "invalid_input", …). */
QString errorCodeName(ErrorCode code);

} // namespace Portoser
