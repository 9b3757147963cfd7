// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Host.h"
#include "core/registry/Service.h"

namespace Portoser::UnitFiles {

/**
 * Service-manager definitions for a deployed service, for operators who want the OS to
 * supervise it: they run the live release (`current`) with its rendered `env` and log.
 */
QString systemdUnit(const Host &host, const Service &service);
QString launchdPlist(const Host &host, const Service &service);

} // namespace Portoser::UnitFiles
