// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Portoser::JwtSignature {

/**
 * Verifies a JWS signature made with RS256 or ES256 against a public key given as a JWK
 * (RSA: n, e; EC P-256: crv, x, y). Any other algorithm, a key of the wrong type or a
 * malformed key is a failure; the reason comes back for the operator's log.
 */
std::optional<QString> verify(const QString &algorithm, const QJsonObject &jwk,
                              const QByteArray &signingInput, const QByteArray &signature);

} // namespace Portoser::JwtSignature
