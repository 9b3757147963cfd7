// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "widgets/AppSettings.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace Portoser {

/** Edit › Settings: the registry, store, secrets backend, watchdog interval, host-key policy and
 *  language. OK refuses settings `AppSettings::problem()` objects to, saying why. */
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    explicit SettingsDialog(const AppSettings &settings, QWidget *parent = nullptr);

    /** What the form says now. */
    AppSettings settings() const;

    void accept() override;

private:
    void updateBackendFields();

    AppSettings m_original; // keeps what the form does not show (recent registries, Vault auth)
    QLineEdit *m_registry;
    QLineEdit *m_store;
    QComboBox *m_backend;
    QLineEdit *m_secretsFile;
    QLineEdit *m_vaultAddress;
    QLineEdit *m_vaultMount;
    QSpinBox *m_healInterval;
    QCheckBox *m_acceptNewKeys;
    QComboBox *m_language;
    QLabel *m_problem;
};

} // namespace Portoser
