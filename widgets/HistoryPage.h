// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Registry.h"

#include <QWidget>

#include <functional>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace Portoser {

class HistoryModel;
class ClusterLink;

/**
 * The deployment history: a table paged from the store (filter by service), the selected
 * record's steps and its config diff against the service's record before it, and Rollback with
 * a confirmation that says exactly what will be redeployed.
 */
class HistoryPage : public QWidget
{
    Q_OBJECT

public:
    /** `reads` lists records (never behind a deploy); `jobs` runs rollbacks, after other work. */
    HistoryPage(ClusterLink *link, QWidget *parent = nullptr);

    void setRegistry(const Registry &registry);
    void reload();
    /** Shows history record `id`: filters cleared, its row selected with its details. */
    void showRecord(qint64 id);
    /** Asks before a rollback (a message box by default; tests answer it themselves). */
    void setConfirm(std::function<bool(const QString &question)> confirm)
    {
        m_confirm = std::move(confirm);
    }
    /** Rolls back to the record in `row` after the confirmation. */
    void rollback(int row);
    HistoryModel *model() const { return m_model; }

signals:
    void rolledBack();

private:
    void showDetails(int row);
    void selectRecord(qint64 id);

    ClusterLink *m_link;
    HistoryModel *m_model;
    std::optional<Registry> m_registry;
    QLineEdit *m_filter;
    QComboBox *m_hostFilter;
    QComboBox *m_outcomeFilter;
    qint64 m_wantedRecord = 0; // selected once the reloading table has it
    QTableView *m_table;
    QPlainTextEdit *m_details;
    QPushButton *m_rollback;
    QLabel *m_status;
    QString m_lastOutcome; // of the last rollback, shown beside what the table loaded
    std::function<bool(const QString &)> m_confirm;
};

} // namespace Portoser
