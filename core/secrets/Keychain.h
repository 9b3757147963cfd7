// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QByteArray>

namespace Portoser::Keychain {

/**
 * The OS keychain (Secret Service on Linux, Keychain on macOS) through QtKeychain, synchronously,
 * entries under the service name "portoser". Never falls back to an unencrypted file: without a
 * keychain the call fails with Unreachable and the caller uses its headless alternative.
 */
Result<QByteArray> read(const QString &entry);
Result<void> write(const QString &entry, const QByteArray &secret);
Result<void> remove(const QString &entry);

/** The entry names Portoser uses. */
inline constexpr auto LocalStoreKey = "secrets-store-key";
inline constexpr auto VaultToken = "vault-token";

} // namespace Portoser::Keychain
