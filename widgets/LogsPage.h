// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Registry.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;
class QTimer;

namespace Portoser {

class ClusterLink;

/**
 * Logs: the end of a service's log, read from its host (as `portoser --cli logs`); Follow reads it
 * again every two seconds and keeps the view at the bottom unless the operator scrolled up.
 */
class LogsPage : public QWidget
{
    Q_OBJECT

public:
    /** `reads` fetches logs (never behind a deploy). */
    LogsPage(ClusterLink *link, QWidget *parent = nullptr);

    void setRegistry(const Registry &registry);
    /** Shows `service`'s log (its last lines) now. */
    void showLog(const QString &service);
    QString text() const;

    /** Reads the chosen service's log again (the Refresh button, Ctrl+R). */
    void refresh() { fetch(); }

protected:
    /** Opening the page reads the log of the service it shows: never a blank page. */
    void showEvent(QShowEvent *event) override;

private:
    void fetch();

    ClusterLink *m_link;
    std::optional<Registry> m_registry;
    QComboBox *m_service;
    QSpinBox *m_lines;
    QCheckBox *m_follow;
    QPlainTextEdit *m_text;
    QLabel *m_status;
    QTimer *m_timer;
    bool m_fetching = false;
};

} // namespace Portoser
