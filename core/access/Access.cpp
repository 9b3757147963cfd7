// SPDX-License-Identifier: Apache-2.0
#include "core/access/Access.h"

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

QString toString(Role role)
{
    switch (role) {
    case Role::Viewer:
        return u"viewer"_s;
    case Role::Operator:
        return u"operator"_s;
    case Role::Admin:
        return u"admin"_s;
    }
    return {};
}

std::optional<Role> roleFromString(const QString &name)
{
    if (name == u"viewer")
        return Role::Viewer;
    if (name == u"operator")
        return Role::Operator;
    if (name == u"admin")
        return Role::Admin;
    return std::nullopt;
}

} // namespace Portoser
