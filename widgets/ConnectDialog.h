// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;

namespace Portoser {

/**
 * File › Connect to coordinator…: the coordinator's URL (recent ones offered) and how to sign
 * in — an API token typed once (kept in the OS keychain when asked), $PORTOSER_TOKEN, or
 * none for a coordinator on this machine that needs none.
 */
class ConnectDialog : public QDialog
{
    Q_OBJECT

public:
    ConnectDialog(const QStringList &recent, QWidget *parent = nullptr);

    QString url() const;
    /** Typed now; empty: $PORTOSER_TOKEN, else the keychain's for this URL, else none. */
    QByteArray token() const;
    bool rememberToken() const;
    /** Sign in at the coordinator's identity provider in the browser instead of a token. */
    bool useOidc() const;
    /** Why the URL cannot be used, or empty (http(s)://host[:port], no user or query). */
    static QString urlProblem(const QString &url);

private:
    void check();

    QComboBox *m_url;
    QLineEdit *m_token;
    QCheckBox *m_remember;
    QCheckBox *m_oidc;
    QLabel *m_problem;
    QPushButton *m_ok = nullptr;
};

} // namespace Portoser
