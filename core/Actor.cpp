// SPDX-License-Identifier: Apache-2.0
#include "core/Actor.h"

#include <pwd.h>
#include <unistd.h>

namespace Portoser {

QString localActor(const QString &wayIn)
{
    const passwd *user = ::getpwuid(::geteuid());
    return wayIn + u':'
           + (user ? QString::fromLocal8Bit(user->pw_name) : QString::number(::geteuid()));
}

} // namespace Portoser
