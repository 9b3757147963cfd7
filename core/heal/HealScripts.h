// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Host.h"
#include "core/registry/Service.h"

#include <QMap>
#include <QString>

namespace Portoser {

/** POSIX sh for the healer's steps on a worker; every value enters through ShellCommand::quote. */
namespace HealScripts {

/** Removes a pid file that names a process Portoser did not start. */
QString clearPid(const Host &host, const QString &service);
/** `systemctl reset-failed UNIT` when the unit hit its start limit (Linux with systemd only). */
QString resetFailed(const QString &unit);
/** TERM, then KILL after `graceSeconds`, to `pid` — only a process that still listens on `port`. */
QString killPortHolder(qint64 pid, int port, int graceSeconds);
/**
 * Frees disk under the host's base path: releases other than each service's current and
 * previous one, and logs over `logLimitBytes` cut to their last `logLimitBytes` (in place, so a
 * writer keeps its file). Prints `freed_kb=` and `pruned=` lines.
 */
QString prune(const Host &host, qint64 logLimitBytes);
/** An operator playbook's command with its {placeholders} replaced by quoted words. */
QString command(const Host &host, const QString &service, const QString &templ,
                const QMap<QString, QString> &values);
/** The systemd unit a native service's start command manages, or "<service>.service". */
QString systemdUnitOf(const Service &service);

} // namespace HealScripts

} // namespace Portoser
