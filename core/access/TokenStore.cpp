// SPDX-License-Identifier: Apache-2.0
#include "core/access/TokenStore.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

QJsonObject ApiToken::toJson() const
{
    return {{u"id"_s, id},
            {u"name"_s, name},
            {u"role"_s, Portoser::toString(role)},
            {u"created_at"_s, createdAt.toString(Qt::ISODateWithMs)},
            {u"revoked"_s, revokedAt.isValid()},
            {u"revoked_at"_s, revokedAt.isValid()
                                  ? QJsonValue(revokedAt.toString(Qt::ISODateWithMs))
                                  : QJsonValue()}};
}

namespace {

Error sqlError(const QString &what, const QSqlError &e)
{
    return Error{ErrorCode::Failed, u"token store: %1: %2"_s.arg(what, e.text())};
}

ApiToken fromQuery(const QSqlQuery &q)
{
    ApiToken t;
    t.id = q.value(0).toLongLong();
    t.name = q.value(1).toString();
    t.role = roleFromString(q.value(2).toString()).value_or(Role::Viewer);
    t.createdAt = QDateTime::fromString(q.value(3).toString(), Qt::ISODateWithMs);
    t.revokedAt = QDateTime::fromString(q.value(4).toString(), Qt::ISODateWithMs);
    return t;
}

const QString Columns = u"id, name, role, created_at, revoked_at"_s;

} // namespace

TokenStore::TokenStore(QString connection)
    : m_connection(std::move(connection))
{}

QByteArray TokenStore::hashOf(const QByteArray &secret)
{
    return QCryptographicHash::hash(secret, QCryptographicHash::Sha256).toHex();
}

Result<CreatedToken> TokenStore::create(const QString &name, Role role)
{
    static const QRegularExpression validName(u"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"_s);
    if (!validName.match(name).hasMatch())
        return Error{
            ErrorCode::InvalidInput,
            u"token name '%1': use 1-64 letters, digits, '.', '_', '@' or '-'"_s.arg(name)};
    QByteArray raw(32, Qt::Uninitialized);
    QRandomGenerator::system()->generate(raw.begin(), raw.end());
    const QString secret = u"pt_"_s
                           + QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding
                                                              | QByteArray::OmitTrailingEquals));
    CreatedToken created;
    created.secret = secret;
    created.token.name = name;
    created.token.role = role;
    created.token.createdAt = QDateTime::currentDateTimeUtc();

    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"INSERT INTO api_tokens (name, role, hash, created_at) VALUES (?, ?, ?, ?)"_s);
    q.addBindValue(name);
    q.addBindValue(toString(role));
    q.addBindValue(QString::fromLatin1(hashOf(secret.toLatin1())));
    q.addBindValue(created.token.createdAt.toString(Qt::ISODateWithMs));
    if (!q.exec()) {
        QSqlQuery exists(QSqlDatabase::database(m_connection));
        exists.prepare(u"SELECT 1 FROM api_tokens WHERE name = ?"_s);
        exists.addBindValue(name);
        if (exists.exec() && exists.next())
            return Error{
                ErrorCode::Conflict,
                u"a token called '%1' exists already (revoked ones keep their name)"_s.arg(name)};
        return sqlError(u"cannot create token %1"_s.arg(name), q.lastError());
    }
    QSqlQuery id(QSqlDatabase::database(m_connection));
    id.prepare(u"SELECT id FROM api_tokens WHERE name = ?"_s);
    id.addBindValue(name);
    if (id.exec() && id.next())
        created.token.id = id.value(0).toLongLong();
    return created;
}

Result<QList<ApiToken>> TokenStore::list() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!q.exec(u"SELECT %1 FROM api_tokens ORDER BY id"_s.arg(Columns)))
        return sqlError(u"cannot list tokens"_s, q.lastError());
    QList<ApiToken> tokens;
    while (q.next())
        tokens.append(fromQuery(q));
    return tokens;
}

Result<ApiToken> TokenStore::revoke(const QString &nameOrId)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(u"SELECT %1 FROM api_tokens WHERE name = ? OR CAST(id AS TEXT) = ?"_s.arg(Columns));
    q.addBindValue(nameOrId);
    q.addBindValue(nameOrId);
    if (!q.exec())
        return sqlError(u"cannot look up token %1"_s.arg(nameOrId), q.lastError());
    if (!q.next())
        return Error{ErrorCode::NotFound, u"no token called '%1'"_s.arg(nameOrId)};
    ApiToken token = fromQuery(q);
    if (token.revokedAt.isValid())
        return token;
    token.revokedAt = QDateTime::currentDateTimeUtc();
    QSqlQuery update(QSqlDatabase::database(m_connection));
    update.prepare(u"UPDATE api_tokens SET revoked_at = ? WHERE id = ?"_s);
    update.addBindValue(token.revokedAt.toString(Qt::ISODateWithMs));
    update.addBindValue(token.id);
    if (!update.exec())
        return sqlError(u"cannot revoke token %1"_s.arg(nameOrId), update.lastError());
    return token;
}

Result<QHash<QByteArray, ApiToken>> TokenStore::activeByHash() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!q.exec(u"SELECT %1, hash FROM api_tokens WHERE revoked_at = ''"_s.arg(Columns)))
        return sqlError(u"cannot read tokens"_s, q.lastError());
    QHash<QByteArray, ApiToken> tokens;
    while (q.next())
        tokens.insert(q.value(5).toString().toLatin1(), fromQuery(q));
    return tokens;
}

Result<bool> TokenStore::anyEverCreated() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!q.exec(u"SELECT COUNT(*) FROM api_tokens"_s) || !q.next())
        return sqlError(u"cannot read tokens"_s, q.lastError());
    return q.value(0).toLongLong() > 0;
}

} // namespace Portoser
