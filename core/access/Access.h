// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <optional>

namespace Portoser {

/** What a caller may do: viewers read, operators change services, admins manage access. */
enum class Role {
    Viewer = 1,
    Operator = 2,
    Admin = 3
};

QString toString(Role role);
std::optional<Role> roleFromString(const QString &name);

/** Who is calling, once authenticated. */
struct Principal
{
    QString name; // "token:ci", "oidc:alice", "anonymous"
    Role role = Role::Viewer;
    QString method;  // token | oidc | open | local
    QString address; // where the call came from ("local" for stdio)

    bool may(Role needed) const { return int(role) >= int(needed); }
};

} // namespace Portoser
