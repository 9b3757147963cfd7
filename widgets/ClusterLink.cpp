// SPDX-License-Identifier: Apache-2.0
#include "widgets/ClusterLink.h"

namespace Portoser {

QString roleNeeded(Role role)
{
    return ClusterLink::tr("Needs the %1 role on the coordinator").arg(toString(role));
}

} // namespace Portoser
