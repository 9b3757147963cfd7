// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/history/DeploymentRecord.h"
#include "core/history/HistoryStore.h"

#include <QAbstractTableModel>

#include <functional>

namespace Portoser {

/**
 * Deployment history, newest first, paged from the store as the view scrolls (`fetchMore`
 * loads the next page off the GUI thread through `PageLoader`), so 100,000 records never load
 * at once. Optionally only one service's.
 */
class HistoryModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Id,
        Service,
        Host,
        Action,
        Actor,
        Outcome,
        Started,
        Duration,
        ColumnCount
    };
    /** Asks for the page `query` describes (its filters, `limit` records older than `beforeId`,
     *  0: the newest); answers through `done`, on the model's thread, with the records or an
     *  error message. */
    using PageLoader = std::function<void(
        const HistoryQuery &query, std::function<void(QList<DeploymentRecord>, QString)> done)>;
    static constexpr int PageSize = 200;

    explicit HistoryModel(PageLoader loader, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    /** Starts again from the newest record that `filter` (service, host, outcome) lets by. */
    void reload(const HistoryQuery &filter = {});
    const DeploymentRecord &record(int row) const { return m_records.at(row); }
    QString lastError() const { return m_error; }

signals:
    void pageLoaded();

private:
    PageLoader m_loader;
    HistoryQuery m_filter;
    QList<DeploymentRecord> m_records;
    bool m_atEnd = false;
    bool m_loading = false;
    int m_generation = 0; // a page asked for before a reload is dropped when it arrives
    QString m_error;
};

} // namespace Portoser
