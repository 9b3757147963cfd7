// SPDX-License-Identifier: Apache-2.0
#include "widgets/WelcomePage.h"

#include <QCommandLinkButton>
#include <QLabel>
#include <QVBoxLayout>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

WelcomePage::WelcomePage(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"welcomePage"_s);
    auto *title = new QLabel(tr("<h2>Welcome to Portoser</h2>"), this);
    auto *about = new QLabel(
        tr("Portoser deploys the services of your machines over plain SSH, checks that each "
           "answers, reverts what does not, and heals what it recognises. It starts from a "
           "registry: one file that names your hosts and services."),
        this);
    about->setWordWrap(true);
    m_lookedFor = new QLabel(this);
    m_lookedFor->setObjectName(u"welcomeLookedFor"_s);
    m_lookedFor->setWordWrap(true);
    const auto choice = [this](const QString &name, const QString &text, const QString &detail,
                               void (WelcomePage::*signal)()) {
        auto *b = new QCommandLinkButton(text, detail, this);
        b->setObjectName(name);
        connect(b, &QCommandLinkButton::clicked, this, signal);
        return b;
    };
    auto *layout = new QVBoxLayout(this);
    layout->addStretch(1);
    layout->addWidget(title);
    layout->addWidget(about);
    layout->addWidget(m_lookedFor);
    layout->addSpacing(12);
    layout->addWidget(choice(u"welcomeDemo"_s, tr("Try the demo"),
                             tr("Three small services on this machine: deploy, move, roll back "
                                "and watch them heal, without touching another computer."),
                             &WelcomePage::demoRequested));
    layout->addWidget(choice(u"welcomeCreate"_s, tr("Create a registry"),
                             tr("Start from your first host: its address, SSH user and key. "
                                "Portoser shows its key for you to confirm."),
                             &WelcomePage::createRequested));
    layout->addWidget(choice(u"welcomeOpen"_s, tr("Open a registry…"),
                             tr("A registry.yml you already have (Portoser's own or the "
                                "upstream project's)."),
                             &WelcomePage::openRequested));
    layout->addWidget(choice(u"welcomeConnect"_s, tr("Connect to a coordinator…"),
                             tr("Work through a portoser --serve that runs the cluster."),
                             &WelcomePage::connectRequested));
    layout->addStretch(2);
    layout->setContentsMargins(48, 24, 48, 24);
    setMaximumWidth(720);
}

void WelcomePage::setLookedFor(const QString &path)
{
    m_lookedFor->setText(tr("No registry at %1 yet.").arg(path));
}

} // namespace Portoser
