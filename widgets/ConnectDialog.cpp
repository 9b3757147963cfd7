// SPDX-License-Identifier: Apache-2.0
#include "widgets/ConnectDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

ConnectDialog::ConnectDialog(const QStringList &recent, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Connect to a coordinator"));
    setObjectName(u"connectDialog"_s);
    auto *intro = new QLabel(
        tr("A coordinator is a <tt>portoser --serve</tt> that keeps the cluster's sessions, "
           "history and healer. Connected, this window works through it and never heals by "
           "itself."),
        this);
    intro->setWordWrap(true);
    m_url = new QComboBox(this);
    m_url->setObjectName(u"coordinatorUrl"_s);
    m_url->setEditable(true);
    m_url->addItems(recent);
    m_url->setCurrentText(recent.value(0, u"https://"_s));
    m_url->setMinimumWidth(360);
    m_url->setToolTip(
        tr("http(s)://host:port of the coordinator (plain http only on this machine)"));
    m_token = new QLineEdit(this);
    m_token->setObjectName(u"coordinatorToken"_s);
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(qEnvironmentVariableIsSet("PORTOSER_TOKEN")
                                    ? tr("$PORTOSER_TOKEN is set and used when this is empty")
                                    : tr("An API token (portoser --cli token create …)"));
    m_remember = new QCheckBox(tr("Keep the token in the system keychain"), this);
    m_remember->setChecked(true);
    m_oidc = new QCheckBox(tr("Sign in with single sign-on (OIDC) in the browser"), this);
    m_oidc->setObjectName(u"useOidc"_s);
    m_oidc->setToolTip(tr("For a coordinator started with --oidc-issuer: you sign in at its "
                          "identity provider, and no token is typed or kept in a file"));
    connect(m_oidc, &QCheckBox::toggled, this, [this](bool on) {
        m_token->setEnabled(!on);
        m_remember->setEnabled(!on);
    });
    m_problem = new QLabel(this);
    m_problem->setObjectName(u"connectProblem"_s);
    m_problem->setStyleSheet(u"color: #c62828;"_s);
    m_problem->setWordWrap(true);
    auto *form = new QFormLayout;
    form->addRow(tr("&Coordinator:"), m_url);
    form->addRow(tr("API &token:"), m_token);
    form->addRow(QString(), m_remember);
    form->addRow(QString(), m_oidc);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("C&onnect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_url, &QComboBox::currentTextChanged, this, &ConnectDialog::check);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    check();
}

QString ConnectDialog::url() const
{
    return m_url->currentText().trimmed();
}

QByteArray ConnectDialog::token() const
{
    return m_token->text().trimmed().toUtf8();
}

bool ConnectDialog::useOidc() const
{
    return m_oidc->isChecked();
}

bool ConnectDialog::rememberToken() const
{
    return m_remember->isChecked() && !m_token->text().trimmed().isEmpty();
}

QString ConnectDialog::urlProblem(const QString &text)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return tr("Not a URL: give http(s)://host[:port]");
    if (url.scheme() != u"https"_s && url.scheme() != u"http"_s)
        return tr("Only http:// and https:// coordinators can be reached");
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment())
        return tr("The URL must not carry a user, a query or a fragment: the token goes in its "
                  "own field");
    return {};
}

void ConnectDialog::check()
{
    const QString problem = urlProblem(url());
    m_problem->setText(problem);
    m_ok->setEnabled(problem.isEmpty());
}

} // namespace Portoser
