// SPDX-License-Identifier: Apache-2.0
#include "core/crypto/JwtSignature.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>

namespace Portoser::JwtSignature {

using namespace Qt::Literals::StringLiterals;

namespace {

template <typename T, void (*Free)(T *)>
struct Deleter
{
    void operator()(T *p) const { Free(p); }
};
using Bn = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using Sig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

QByteArray b64url(const QJsonObject &jwk, const char *key)
{
    return QByteArray::fromBase64(jwk.value(QLatin1StringView(key)).toString().toLatin1(),
                                  QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

Bn bignum(const QByteArray &bytes)
{
    return Bn(BN_bin2bn(reinterpret_cast<const unsigned char *>(bytes.constData()),
                        int(bytes.size()), nullptr));
}

Pkey fromParams(const char *type, OSSL_PARAM *params)
{
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY *key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0
        || EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        return nullptr;
    return Pkey(key);
}

Pkey rsaKey(const QJsonObject &jwk)
{
    const Bn n = bignum(b64url(jwk, "n"));
    const Bn e = bignum(b64url(jwk, "e"));
    ParamBld bld(OSSL_PARAM_BLD_new());
    if (!n || !e || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get())
        || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()))
        return nullptr;
    Params params(OSSL_PARAM_BLD_to_param(bld.get()));
    return params ? fromParams("RSA", params.get()) : nullptr;
}

Pkey ecKey(const QJsonObject &jwk)
{
    const QByteArray x = b64url(jwk, "x");
    const QByteArray y = b64url(jwk, "y");
    if (jwk.value(u"crv"_s).toString() != u"P-256" || x.size() != 32 || y.size() != 32)
        return nullptr;
    const QByteArray point = QByteArray(1, '\x04') + x + y; // uncompressed
    ParamBld bld(OSSL_PARAM_BLD_new());
    if (!bld
        || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0)
        || !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                             size_t(point.size())))
        return nullptr;
    Params params(OSSL_PARAM_BLD_to_param(bld.get()));
    return params ? fromParams("EC", params.get()) : nullptr;
}

/** JWS carries an ECDSA signature as r || s; OpenSSL verifies DER. */
QByteArray derFromRaw(const QByteArray &raw)
{
    if (raw.size() != 64)
        return {};
    Sig sig(ECDSA_SIG_new());
    BIGNUM *r = BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.constData()), 32, nullptr);
    BIGNUM *s =
        BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.constData()) + 32, 32, nullptr);
    if (!sig || !r || !s || !ECDSA_SIG_set0(sig.get(), r, s)) {
        BN_free(r);
        BN_free(s);
        return {};
    }
    unsigned char *der = nullptr;
    const int length = i2d_ECDSA_SIG(sig.get(), &der);
    if (length <= 0)
        return {};
    QByteArray out(reinterpret_cast<const char *>(der), length);
    OPENSSL_free(der);
    return out;
}

} // namespace

std::optional<QString> verify(const QString &algorithm, const QJsonObject &jwk,
                              const QByteArray &signingInput, const QByteArray &signature)
{
    Pkey key;
    QByteArray sig = signature;
    if (algorithm == u"RS256") {
        if (jwk.value(u"kty"_s).toString() != u"RSA")
            return u"the key for RS256 is not an RSA key"_s;
        key = rsaKey(jwk);
    } else if (algorithm == u"ES256") {
        if (jwk.value(u"kty"_s).toString() != u"EC")
            return u"the key for ES256 is not an EC key"_s;
        key = ecKey(jwk);
        sig = derFromRaw(signature);
        if (sig.isEmpty())
            return u"malformed ES256 signature"_s;
    } else {
        return u"algorithm %1 is not accepted (RS256 or ES256)"_s.arg(algorithm);
    }
    if (!key)
        return u"the issuer's key (kid %1) is malformed"_s.arg(jwk.value(u"kid"_s).toString());
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) <= 0)
        return u"cannot verify signatures (OpenSSL)"_s;
    const int ok = EVP_DigestVerify(
        ctx.get(), reinterpret_cast<const unsigned char *>(sig.constData()), size_t(sig.size()),
        reinterpret_cast<const unsigned char *>(signingInput.constData()),
        size_t(signingInput.size()));
    if (ok != 1)
        return u"bad signature"_s;
    return std::nullopt;
}

} // namespace Portoser::JwtSignature
