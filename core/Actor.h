// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace Portoser {

/** Who acts, as history and the audit log name it: "<way in>:<user>" (`cli:ana`, `gui:ana`). */
QString localActor(const QString &wayIn);

} // namespace Portoser
