// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Registry.h"

namespace Portoser {

/**
 * Semantic checks of a loaded registry: required fields, references between hosts and
 * services, dependency cycles, port clashes on a host, and strict rules for every value that
 * becomes a name, path, user or address on a worker. Returns every problem, never the first.
 */
class RegistryValidator
{
public:
    IssueList validate(const Registry &registry) const;

private:
    void checkHost(const Host &host, IssueList &issues) const;
    void checkService(const Registry &registry, const Service &service, IssueList &issues) const;
    void checkPorts(const Registry &registry, IssueList &issues) const;
    void checkDependencies(const Registry &registry, IssueList &issues) const;
    void checkCaddy(const Registry &registry, IssueList &issues) const;
};

} // namespace Portoser
