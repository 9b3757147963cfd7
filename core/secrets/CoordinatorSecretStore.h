// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/secrets/SecretsBackend.h"
#include "core/secrets/SecretsService.h"

#include <QUrl>

#include <memory>

class QNetworkAccessManager;

namespace Portoser {

/**
 * A coordinator's secrets backend seen through its API (`/api/v1/secrets…`), for a window
 * connected to it: listing and versions need the operator role, values (reveal, put, delete)
 * the admin role, and the coordinator audits each. Blocking calls, each with a deadline, for a
 * worker thread; one instance per thread.
 */
class CoordinatorSecretStore : public SecretsBackend
{
public:
    /** `kind`: the coordinator's backend to use ("local", "vault"; empty: its default). */
    CoordinatorSecretStore(QUrl base, QByteArray credential, QString kind);
    ~CoordinatorSecretStore() override;

    /** Every key with its version and users, as the coordinator lists them. */
    Result<SecretListing> listing(const QString &prefix = {});

    QString kind() const override;
    QString location() const override;
    QJsonObject status() override;
    Result<QStringList> paths(const QString &prefix = {}) override;
    Result<QStringList> keys(const QString &path) override;
    Result<QString> get(const QString &path, const QString &key, int version = 0) override;
    Result<QList<SecretVersion>> versions(const QString &path, const QString &key) override;
    Result<int> put(const QString &path, const QString &key, const QString &value) override;
    /** One key after another (the API stores one key per call). */
    Result<int> putAll(const QString &path, const QMap<QString, QString> &values) override;
    Result<void> remove(const QString &path, const QString &key) override;

private:
    Result<QJsonObject> call(const QByteArray &method, const QString &route,
                             const QJsonObject &body = {});

    QUrl m_base;
    QByteArray m_credential;
    QString m_kind;
    std::unique_ptr<QNetworkAccessManager> m_network;
};

} // namespace Portoser
