// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <optional>

namespace Portoser::FieldRules {

/**
 * Strict checks for registry values that end up in file names, remote paths or commands.
 * Each returns why the value is refused, or nothing when it is acceptable. Values that pass
 * still reach a shell only as one quoted argument; these rules are the first of two walls.
 */

/** Host, service, tag and compose service names: letters, digits, '.', '_', '-'; no "..". */
std::optional<QString> checkName(const QString &value);
/** A login name on a worker. */
std::optional<QString> checkUser(const QString &value);
/** A file system path (absolute, relative, or "~/..."): no shell metacharacters, no ".." part. */
std::optional<QString> checkPath(const QString &value);
/** An IPv4/IPv6 address or a DNS host name. */
std::optional<QString> checkAddress(const QString &value);
/** A DNS host name (RFC 1123), optionally with a leading "*." wildcard. */
std::optional<QString> checkHostname(const QString &value);
/** A TCP port, 1-65535, given as text so that "abc" and "8080x" are caught too. */
std::optional<QString> checkPort(const QString &value);
/** An environment variable name. */
std::optional<QString> checkEnvName(const QString &value);

/** Seconds from "30", "30s", "5m", "1h" or "2d"; nothing for anything else, a negative number or
 *  more than `maxSeconds` (registry durations, `metrics --since`). */
std::optional<qint64> parseDuration(const QString &text, qint64 maxSeconds);

/** Characters that mean something to a POSIX shell, for messages. */
QString describeForbidden(const QString &value);

} // namespace Portoser::FieldRules
