// SPDX-License-Identifier: Apache-2.0
#include "core/crypto/SecretCipher.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

namespace Portoser::SecretCipher {

using namespace Qt::Literals::StringLiterals;

namespace {

struct CtxFree
{
    void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char *bytes(const QByteArray &a)
{
    return reinterpret_cast<const unsigned char *>(a.constData());
}

unsigned char *bytes(QByteArray &a)
{
    return reinterpret_cast<unsigned char *>(a.data());
}

} // namespace

QByteArray randomBytes(int count)
{
    QByteArray out(count, Qt::Uninitialized);
    if (RAND_bytes(bytes(out), count) != 1)
        qFatal("OpenSSL could not produce random bytes");
    return out;
}

Result<QByteArray> deriveKey(const QByteArray &passphrase, const KdfParams &params)
{
    if (passphrase.isEmpty())
        return Error{ErrorCode::InvalidInput, u"empty secrets passphrase"_s};
    QByteArray key(KeyBytes, Qt::Uninitialized);
    // 64 MiB is enough for n=2^15, r=8 (32 MiB) with room for a stronger store written later.
    if (EVP_PBE_scrypt(passphrase.constData(), size_t(passphrase.size()), bytes(params.salt),
                       size_t(params.salt.size()), params.n, params.r, params.p, 64ULL << 20,
                       bytes(key), size_t(key.size()))
        != 1)
        return Error{
            ErrorCode::Failed,
            u"scrypt failed (n=%1, r=%2, p=%3)"_s.arg(params.n).arg(params.r).arg(params.p)};
    return key;
}

Result<QByteArray> seal(const QByteArray &key, const QByteArray &nonce, const QByteArray &plaintext,
                        const QByteArray &aad)
{
    Ctx ctx(EVP_CIPHER_CTX_new());
    QByteArray out(plaintext.size() + TagBytes, Qt::Uninitialized);
    int length = 0, final = 0;
    if (!ctx || key.size() != KeyBytes || nonce.size() != NonceBytes
        || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, NonceBytes, nullptr) != 1
        || EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key), bytes(nonce)) != 1
        || EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(aad), int(aad.size())) != 1
        || EVP_EncryptUpdate(ctx.get(), bytes(out), &length, bytes(plaintext),
                             int(plaintext.size()))
               != 1
        || EVP_EncryptFinal_ex(ctx.get(), bytes(out) + length, &final) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, TagBytes,
                               bytes(out) + length + final)
               != 1)
        return Error{ErrorCode::Failed, u"AES-256-GCM encryption failed"_s};
    out.truncate(length + final + TagBytes);
    return out;
}

Result<QByteArray> open(const QByteArray &key, const QByteArray &nonce, const QByteArray &sealed,
                        const QByteArray &aad)
{
    if (sealed.size() < TagBytes || key.size() != KeyBytes || nonce.size() != NonceBytes)
        return Error{ErrorCode::InvalidInput, u"the encrypted data is cut short"_s};
    const QByteArray data = sealed.left(sealed.size() - TagBytes);
    QByteArray tag = sealed.right(TagBytes);
    Ctx ctx(EVP_CIPHER_CTX_new());
    QByteArray out(data.size() + 16, Qt::Uninitialized);
    int length = 0, final = 0;
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, NonceBytes, nullptr) != 1
        || EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key), bytes(nonce)) != 1
        || EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(aad), int(aad.size())) != 1
        || EVP_DecryptUpdate(ctx.get(), bytes(out), &length, bytes(data), int(data.size())) != 1
        || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, TagBytes, bytes(tag)) != 1
        || EVP_DecryptFinal_ex(ctx.get(), bytes(out) + length, &final) != 1)
        return Error{ErrorCode::PermissionDenied,
                     u"cannot decrypt: wrong passphrase or key, or the file was altered"_s};
    out.truncate(length + final);
    return out;
}

} // namespace Portoser::SecretCipher
