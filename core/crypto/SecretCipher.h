// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QByteArray>

namespace Portoser::SecretCipher {

/** scrypt's cost parameters: memory-hard, so guessing a passphrase stays expensive. */
struct KdfParams
{
    QByteArray salt; // 16 random bytes per store
    quint64 n = 1 << 15;
    quint32 r = 8;
    quint32 p = 1;
};

constexpr int KeyBytes = 32;   // AES-256
constexpr int NonceBytes = 12; // GCM's standard nonce
constexpr int TagBytes = 16;

QByteArray randomBytes(int count);
/** A 256-bit key from `passphrase` with scrypt. */
Result<QByteArray> deriveKey(const QByteArray &passphrase, const KdfParams &params);
/** AES-256-GCM: the ciphertext with its tag appended; `aad` is authenticated, not encrypted. */
Result<QByteArray> seal(const QByteArray &key, const QByteArray &nonce, const QByteArray &plaintext,
                        const QByteArray &aad);
/** The plaintext, or an error when the key is wrong or anything (data, tag, aad) was altered. */
Result<QByteArray> open(const QByteArray &key, const QByteArray &nonce, const QByteArray &sealed,
                        const QByteArray &aad);

} // namespace Portoser::SecretCipher
