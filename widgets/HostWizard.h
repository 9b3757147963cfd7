// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Host.h"
#include "core/transport/TransportSettings.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace Portoser {

/**
 * Creates a first registry from one host, as a new user would: the host's address, SSH user
 * and key; Connect shows the key the host offers for confirmation (nothing is trusted before);
 * Trust records it in known_hosts (only if it is still that key) and asks the host what it is
 * (OS and architecture). Create writes the registry file, never over an existing one.
 */
class HostWizard : public QDialog
{
    Q_OBJECT

public:
    explicit HostWizard(const QString &registryPath, QWidget *parent = nullptr);

    /** The file written by Create (empty until then). */
    QString createdRegistry() const { return m_created; }
    /** The host as typed, for the registry (tests fill the fields). */
    Host host() const;

    void connectToHost();   // the Connect button
    void trustOfferedKey(); // the Trust button
    void create();          // the Create button

private:
    void setStep(const QString &text, bool problem = false);
    void observeHost();

    QLineEdit *m_path, *m_name, *m_address, *m_user, *m_key, *m_base;
    QSpinBox *m_port;
    QLabel *m_fingerprint, *m_facts, *m_status;
    QPushButton *m_connect, *m_trust, *m_create;
    HostKeyOffer m_offer;
    QString m_arch;
    QString m_created;
};

} // namespace Portoser
