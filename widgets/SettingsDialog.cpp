// SPDX-License-Identifier: Apache-2.0
#include "widgets/SettingsDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

enum class Pick {
    Existing, // a registry must exist
    New       // a store or secrets file may be made on first use
};

/** A line edit with a Browse… button that picks a file. */
QWidget *withBrowse(QLineEdit *edit, const QString &filter, Pick pick, QWidget *parent)
{
    auto *row = new QWidget(parent);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    auto *browse = new QPushButton(SettingsDialog::tr("Browse…"), row);
    browse->setAccessibleName(SettingsDialog::tr("Browse for %1").arg(edit->accessibleName()));
    layout->addWidget(browse);
    QObject::connect(browse, &QPushButton::clicked, edit, [edit, filter, pick] {
        const QString chosen =
            pick == Pick::Existing
                ? QFileDialog::getOpenFileName(edit->window(), edit->accessibleName(), edit->text(),
                                               filter)
                : QFileDialog::getSaveFileName(edit->window(), edit->accessibleName(), edit->text(),
                                               filter, nullptr, QFileDialog::DontConfirmOverwrite);
        if (!chosen.isEmpty())
            edit->setText(chosen);
    });
    return row;
}

QLineEdit *lineEdit(const QString &objectName, const QString &accessibleName,
                    const QString &placeholder, QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setAccessibleName(accessibleName);
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(true);
    return edit;
}

} // namespace

SettingsDialog::SettingsDialog(const AppSettings &settings, QWidget *parent)
    : QDialog(parent)
    , m_original(settings)
{
    setWindowTitle(tr("Settings"));
    setObjectName(u"settingsDialog"_s);

    m_registry =
        lineEdit(u"registryEdit"_s, tr("Registry"),
                 tr("PORTOSER_REGISTRY, ./registry.yml or ~/.portoser/registry.yml"), this);
    m_registry->setText(settings.registryPath);
    m_store = lineEdit(u"storeEdit"_s, tr("Store"),
                       tr("~/.portoser/portoser.db, or postgresql://user@host/db"), this);
    m_store->setText(settings.store);
    m_store->setToolTip(tr("A SQLite file, or a PostgreSQL URL shared with `portoser --serve`. "
                           "Keep the password in ~/.pgpass."));
    m_backend = new QComboBox(this);
    m_backend->setObjectName(u"backendCombo"_s);
    m_backend->setAccessibleName(tr("Secrets backend"));
    m_backend->addItem(tr("Encrypted local store"), u"local"_s);
    m_backend->addItem(tr("HashiCorp Vault"), u"vault"_s);
    m_backend->setCurrentIndex(std::max(0, m_backend->findData(settings.secrets.backend)));
    m_secretsFile =
        lineEdit(u"secretsFileEdit"_s, tr("Secrets file"), tr("~/.portoser/secrets.enc"), this);
    m_secretsFile->setText(settings.secrets.localFile);
    m_vaultAddress =
        lineEdit(u"vaultAddressEdit"_s, tr("Vault address"), u"https://vault.lan:8200"_s, this);
    m_vaultAddress->setText(settings.secrets.vault.address);
    m_vaultMount = lineEdit(u"vaultMountEdit"_s, tr("KV mount"), u"secret"_s, this);
    m_vaultMount->setText(settings.secrets.vault.mount);
    m_healInterval = new QSpinBox(this);
    m_healInterval->setObjectName(u"healIntervalSpinBox"_s);
    m_healInterval->setAccessibleName(tr("Watchdog interval"));
    m_healInterval->setRange(0, 24 * 3600);
    m_healInterval->setSuffix(tr(" s"));
    m_healInterval->setSpecialValueText(tr("each service's own"));
    m_healInterval->setValue(settings.healIntervalSeconds);
    m_acceptNewKeys = new QCheckBox(tr("Accept the key of a host seen for the first time"), this);
    m_acceptNewKeys->setObjectName(u"acceptNewKeysCheckBox"_s);
    m_acceptNewKeys->setToolTip(
        tr("Trust on first use, like ssh's StrictHostKeyChecking=accept-new. A key that changed "
           "is always refused."));
    m_acceptNewKeys->setChecked(settings.acceptNewHostKeys);
    m_language = new QComboBox(this);
    m_language->setObjectName(u"languageCombo"_s);
    m_language->setAccessibleName(tr("Language"));
    m_language->addItem(tr("The system's"), QString());
    for (const auto &[code, name] : AppSettings::languages())
        m_language->addItem(name, code);
    m_language->setCurrentIndex(std::max(0, m_language->findData(settings.language)));

    auto *form = new QFormLayout;
    form->addRow(tr("&Registry:"),
                 withBrowse(m_registry, tr("Registry (*.yml *.yaml)"), Pick::Existing, this));
    form->addRow(tr("S&tore:"), withBrowse(m_store, tr("SQLite (*.db)"), Pick::New, this));
    form->addRow(tr("Secrets &backend:"), m_backend);
    form->addRow(tr("Secrets &file:"),
                 withBrowse(m_secretsFile, tr("Secrets (*.enc)"), Pick::New, this));
    form->addRow(tr("Vault &address:"), m_vaultAddress);
    form->addRow(tr("KV &mount:"), m_vaultMount);
    form->addRow(tr("&Watchdog interval:"), m_healInterval);
    form->addRow(tr("Host keys:"), m_acceptNewKeys);
    form->addRow(tr("&Language:"), m_language);
    auto *languageNote = new QLabel(tr("A new language shows when Portoser next starts."), this);
    languageNote->setEnabled(false);
    form->addRow(QString(), languageNote);

    m_problem = new QLabel(this);
    m_problem->setObjectName(u"settingsProblemLabel"_s);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(u"color: #c62828;"_s); // no glyph: not every system has its font
    m_problem->hide();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);

    connect(m_backend, &QComboBox::currentIndexChanged, this, &SettingsDialog::updateBackendFields);
    updateBackendFields();
}

void SettingsDialog::updateBackendFields()
{
    const bool vault = m_backend->currentData() == u"vault"_s;
    m_secretsFile->parentWidget()->setEnabled(!vault);
    m_vaultAddress->setEnabled(vault);
    m_vaultMount->setEnabled(vault);
}

AppSettings SettingsDialog::settings() const
{
    AppSettings s = m_original;
    s.registryPath = m_registry->text().trimmed();
    s.store = m_store->text().trimmed();
    s.secrets.backend = m_backend->currentData().toString();
    s.secrets.localFile = m_secretsFile->text().trimmed();
    s.secrets.vault.address = m_vaultAddress->text().trimmed();
    s.secrets.vault.mount = m_vaultMount->text().trimmed();
    s.healIntervalSeconds = m_healInterval->value();
    s.acceptNewHostKeys = m_acceptNewKeys->isChecked();
    s.language = m_language->currentData().toString();
    return s;
}

void SettingsDialog::accept()
{
    if (const QString problem = settings().problem(); !problem.isEmpty()) {
        m_problem->setText(problem);
        m_problem->show();
        return;
    }
    QDialog::accept();
}

} // namespace Portoser
