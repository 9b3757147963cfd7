// SPDX-License-Identifier: Apache-2.0
#include "widgets/HostWizard.h"

#include "core/Orchestrator.h"
#include "core/registry/RegistryEditor.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

const QRegularExpression HostName(u"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"_s);

} // namespace

HostWizard::HostWizard(const QString &registryPath, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Create a registry"));
    setObjectName(u"hostWizard"_s);
    auto *intro = new QLabel(tr("Describe the first host Portoser deploys to. It is asked over "
                                "SSH: first for its key, which you confirm, then what it is."),
                             this);
    intro->setWordWrap(true);
    const auto field = [this](const QString &name, const QString &placeholder) {
        auto *edit = new QLineEdit(this);
        edit->setObjectName(name);
        edit->setPlaceholderText(placeholder);
        return edit;
    };
    m_path = field(u"wizardRegistryPath"_s, QString());
    m_path->setText(registryPath);
    auto *browse = new QPushButton(tr("Choose…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getSaveFileName(
            this, tr("Where the registry goes"), m_path->text(), tr("Registry (*.yml *.yaml)"));
        if (!chosen.isEmpty())
            m_path->setText(chosen);
    });
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    m_name = field(u"wizardHostName"_s, tr("pi1"));
    m_address = field(u"wizardAddress"_s, tr("192.168.1.20 or pi1.local"));
    m_user = field(u"wizardUser"_s, tr("pi (empty: your own user name)"));
    m_port = new QSpinBox(this);
    m_port->setObjectName(u"wizardPort"_s);
    m_port->setRange(1, 65535);
    m_port->setValue(Host::DefaultSshPort);
    m_key = field(u"wizardKey"_s, tr("~/.ssh/id_ed25519 (empty: ssh-agent, then your keys)"));
    m_base = field(u"wizardBasePath"_s, tr("where Portoser keeps releases on the host"));
    m_base->setText(u"~/portoser"_s);
    auto *form = new QFormLayout;
    form->addRow(tr("Registry &file:"), pathRow);
    form->addRow(tr("Host &name:"), m_name);
    form->addRow(tr("&Address:"), m_address);
    form->addRow(tr("SSH &user:"), m_user);
    form->addRow(tr("SSH &port:"), m_port);
    form->addRow(tr("SSH &key:"), m_key);
    form->addRow(tr("&Base path:"), m_base);

    m_fingerprint = new QLabel(this);
    m_fingerprint->setObjectName(u"wizardFingerprint"_s);
    m_fingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fingerprint->setWordWrap(true);
    m_facts = new QLabel(this);
    m_facts->setObjectName(u"wizardFacts"_s);
    m_status = new QLabel(this);
    m_status->setObjectName(u"wizardStatus"_s);
    m_status->setWordWrap(true);
    m_connect = new QPushButton(tr("C&onnect"), this);
    m_connect->setObjectName(u"wizardConnect"_s);
    m_trust = new QPushButton(tr("&Trust this key"), this);
    m_trust->setObjectName(u"wizardTrust"_s);
    m_trust->setEnabled(false);
    auto *steps = new QHBoxLayout;
    steps->addWidget(m_connect);
    steps->addWidget(m_trust);
    steps->addStretch();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_create = buttons->addButton(tr("&Create"), QDialogButtonBox::AcceptRole);
    m_create->setObjectName(u"wizardCreate"_s);
    m_create->setEnabled(false);
    connect(m_connect, &QPushButton::clicked, this, &HostWizard::connectToHost);
    connect(m_trust, &QPushButton::clicked, this, &HostWizard::trustOfferedKey);
    connect(m_create, &QPushButton::clicked, this, &HostWizard::create);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    const auto forget = [this] { // another host: ask again
        m_trust->setEnabled(false);
        m_create->setEnabled(false);
        m_fingerprint->clear();
        m_facts->clear();
    };
    for (QLineEdit *edit : {m_name, m_address, m_user, m_key, m_base})
        connect(edit, &QLineEdit::textEdited, this, forget);
    connect(m_port, &QSpinBox::valueChanged, this, forget);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addLayout(steps);
    layout->addWidget(m_fingerprint);
    layout->addWidget(m_facts);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(560, sizeHint().height());
}

Host HostWizard::host() const
{
    Host h;
    h.name = m_name->text().trimmed();
    const QString address = m_address->text().trimmed();
    if (QHostAddress(address).isNull())
        h.sshHostname = address;
    else
        h.ip = address;
    h.sshUser = m_user->text().trimmed();
    h.sshPort = m_port->value();
    h.sshKey = m_key->text().trimmed();
    h.path = m_base->text().trimmed();
    h.transport = TransportKind::Ssh; // a wizard's host is reached over SSH, loopback too
    h.transportExplicit = true;
    return h;
}

void HostWizard::setStep(const QString &text, bool problem)
{
    m_status->setText(text);
    m_status->setStyleSheet(problem ? u"color: #c62828;"_s : QString());
}

void HostWizard::connectToHost()
{
    const Host h = host();
    if (!HostName.match(h.name).hasMatch())
        return setStep(tr("Give the host a name: letters, digits, '-', '_' or '.'"), true);
    if (h.address().isEmpty())
        return setStep(tr("Give the host's address"), true);
    if (h.path.isEmpty())
        return setStep(tr("Give the base path: the directory Portoser may use on the host"), true);
    m_connect->setEnabled(false);
    m_trust->setEnabled(false);
    setStep(tr("Asking %1 for its key…").arg(h.address()));
    QtConcurrent::run([h] {
        return Orchestrator().offeredHostKey(h);
    }).then(this, [this](const Result<HostKeyOffer> &offer) {
        m_connect->setEnabled(true);
        if (!offer)
            return setStep(offer.error().message, true);
        m_offer = *offer;
        m_fingerprint->setText(tr("The host's key: %1").arg(offer->fingerprint));
        switch (offer->known) {
        case HostKeyOffer::Known::Yes:
            setStep(tr("This key is already trusted (%1).").arg(offer->knownHostsFile));
            observeHost();
            break;
        case HostKeyOffer::Known::No:
            m_trust->setEnabled(true);
            setStep(tr("Compare it with the host's own (ssh-keygen -lf "
                       "/etc/ssh/ssh_host_ed25519_key.pub on it), then trust it."));
            break;
        case HostKeyOffer::Known::Changed:
            setStep(tr("%1 lists another key for this address: a reinstalled host, or "
                       "someone in between. Remove the old entry (ssh-keygen -R) only if "
                       "you know why it changed.")
                        .arg(offer->knownHostsFile),
                    true);
            break;
        }
    });
}

void HostWizard::trustOfferedKey()
{
    const Host h = host();
    m_trust->setEnabled(false);
    setStep(tr("Trusting the key and asking the host what it is…"));
    QtConcurrent::run([h, fingerprint = m_offer.fingerprint] {
        return Orchestrator().trustHostKey(h, fingerprint);
    }).then(this, [this](const Result<void> &trusted) {
        if (!trusted)
            return setStep(trusted.error().message, true);
        observeHost();
    });
}

void HostWizard::observeHost()
{
    Registry registry;
    const Host h = host();
    registry.hosts.insert(h.name, h);
    QtConcurrent::run([registry, name = h.name] {
        const QList<HostState> seen = Orchestrator().observe(registry, {}, {name});
        return seen.value(0);
    }).then(this, [this](const HostState &state) {
        if (!state.reachable)
            return setStep(tr("The key is trusted, but logging in failed: %1").arg(state.error),
                           true);
        m_arch = archOf(state.os, state.arch);
        m_facts->setText(tr("%1, %2 — %3 free on its disk")
                             .arg(state.os, state.arch,
                                  state.diskAvailKb >= 0
                                      ? QLocale().formattedDataSize(state.diskAvailKb * 1024)
                                      : tr("unknown")));
        m_create->setEnabled(true);
        setStep(tr("Ready: Create writes the registry."));
    });
}

void HostWizard::create()
{
    const QString path = QFileInfo(m_path->text().trimmed()).absoluteFilePath();
    if (m_path->text().trimmed().isEmpty())
        return setStep(tr("Choose where the registry goes"), true);
    if (QFileInfo::exists(path))
        return setStep(
            tr("%1 exists already: choose another file (nothing was overwritten)").arg(path), true);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    // NewOnly: a file that appeared since the check above is not overwritten either.
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly)
        || file.write(RegistryEditor::newRegistry([this] {
               Host h = host();
               h.arch = m_arch;
               return h;
           }()))
               < 0
        || !file.flush())
        return setStep(tr("Cannot write %1: %2").arg(path, file.errorString()), true);
    m_created = path;
    accept();
}

} // namespace Portoser
