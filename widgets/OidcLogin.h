// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"

#include <QFuture>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;
class QTcpServer;

namespace Portoser {

class CoordinatorLink;

/**
 * Signs the window in at a coordinator's OIDC issuer the way native apps should (RFC 8252):
 * the authorization code flow with PKCE (S256) in the system browser, redirected back to a
 * one-shot listener on 127.0.0.1, then the code exchanged for tokens at the issuer. No client
 * secret exists (a desktop app cannot keep one); the code verifier proves the same app asked.
 * keepFresh() renews the access token before it expires and hands it to the link; the refresh
 * token lives only in memory and the OS keychain.
 */
class OidcLogin : public QObject
{
    Q_OBJECT

public:
    struct Tokens
    {
        QByteArray access;
        QByteArray refresh;
        int expiresIn = 300; // seconds
    };

    OidcLogin(const QUrl &issuer, const QString &clientId, QObject *parent = nullptr);
    ~OidcLogin() override;

    /** How the login page is shown: the system browser (QDesktopServices) unless a test gives
     *  its own. */
    void setBrowser(std::function<void(const QUrl &)> browser) { m_browser = std::move(browser); }
    /** Opens the issuer's login; ends with the tokens once the browser comes back, with an
     *  error when the issuer refuses, the state does not match, or nothing comes in 5 minutes. */
    QFuture<Result<Tokens>> signIn();
    QFuture<Result<Tokens>> refresh(const QByteArray &refreshToken);
    /** Renews `tokens` a minute before they expire, giving each new access token to `link` and
     *  keeping the refresh token in the keychain under `keychainEntry`. */
    void keepFresh(CoordinatorLink *link, const Tokens &tokens, const QString &keychainEntry);

private:
    struct Endpoints
    {
        QUrl authorization, token;
    };
    QFuture<Result<Endpoints>> discover();
    QFuture<Result<Tokens>> exchange(const QUrl &tokenEndpoint,
                                     const QList<QPair<QString, QString>> &form);
    void scheduleRefresh(int expiresIn);

    QUrl m_issuer;
    QString m_clientId;
    QNetworkAccessManager *m_network;
    std::function<void(const QUrl &)> m_browser;
    QTcpServer *m_listener = nullptr;
    std::optional<Endpoints> m_endpoints;
    // keepFresh's state
    CoordinatorLink *m_link = nullptr;
    QByteArray m_refreshToken;
    QString m_keychainEntry;
    QTimer m_refreshTimer;
};

} // namespace Portoser
