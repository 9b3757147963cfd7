// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/access/Access.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>

namespace Portoser {

struct ApiToken
{
    qint64 id = 0;
    QString name;
    Role role = Role::Viewer;
    QDateTime createdAt;
    QDateTime revokedAt; // null while valid

    /** {id, name, role, created_at, revoked (bool), revoked_at (time or null)}: never the
     *  secret or its hash. */
    QJsonObject toJson() const;
};

/** A token just made: the secret is shown once and never stored. */
struct CreatedToken
{
    ApiToken token;
    QString secret;
};

/**
 * API tokens in the history database. Only a SHA-256 of each secret is stored, so a leaked
 * database grants nothing; secrets are 256 random bits, which makes a plain hash sufficient.
 */
class TokenStore
{
public:
    /** `connection`: an open QSqlDatabase connection name (HistoryStore::connectionName()). */
    explicit TokenStore(QString connection);

    Result<CreatedToken> create(const QString &name, Role role);
    Result<QList<ApiToken>> list() const;
    /** Revokes the token called `nameOrId`. */
    Result<ApiToken> revoke(const QString &nameOrId);
    /** Valid tokens by the hash of their secret. */
    Result<QHash<QByteArray, ApiToken>> activeByHash() const;
    /** Whether any token was ever created, revoked ones included: an API that had tokens never
     *  falls back to the open mode when the last one is revoked. */
    Result<bool> anyEverCreated() const;

    static QByteArray hashOf(const QByteArray &secret);

private:
    QString m_connection;
};

} // namespace Portoser
