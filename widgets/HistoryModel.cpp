// SPDX-License-Identifier: Apache-2.0
#include "widgets/HistoryModel.h"

#include <QBrush>
#include <QColor>
#include <QPointer>

namespace Portoser {

HistoryModel::HistoryModel(PageLoader loader, QObject *parent)
    : QAbstractTableModel(parent)
    , m_loader(std::move(loader))
{}

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DeploymentRecord &r = m_records.at(index.row());
    if (role == Qt::ForegroundRole && index.column() == Outcome) {
        if (r.outcome == Portoser::Outcome::Failed || r.outcome == Portoser::Outcome::Interrupted)
            return QBrush(QColor(0xd6, 0x45, 0x45));
        if (r.outcome == Portoser::Outcome::RolledBack)
            return QBrush(QColor(0xe0, 0x9b, 0x2d));
        return {};
    }
    if (role == Qt::UserRole)
        return r.id;
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case Id:
        return r.id;
    case Service:
        return r.service;
    case Host:
        return r.fromHost.isEmpty() ? r.host : tr("%1 → %2").arg(r.fromHost, r.host);
    case Action:
        return toString(r.action);
    case Actor:
        return r.actor;
    case Outcome:
        return role == Qt::ToolTipRole && !r.reason.isEmpty() ? r.reason : toString(r.outcome);
    case Started:
        return r.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case Duration:
        return r.endedAt.isValid() ? tr("%1 s").arg(double(r.durationMs()) / 1000.0, 0, 'f', 1)
                                   : QString();
    case ColumnCount:
        break;
    }
    return {};
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Id:
        return tr("#");
    case Service:
        return tr("Service");
    case Host:
        return tr("Host");
    case Action:
        return tr("Action");
    case Actor:
        return tr("Actor");
    case Outcome:
        return tr("Outcome");
    case Started:
        return tr("Started");
    case Duration:
        return tr("Duration");
    case ColumnCount:
        break;
    }
    return {};
}

bool HistoryModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_atEnd && !m_loading;
}

void HistoryModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_loading = true;
    const int generation = m_generation;
    QPointer<HistoryModel> self(this);
    HistoryQuery next = m_filter;
    next.limit = PageSize;
    next.offset = 0;
    next.beforeId = m_records.isEmpty() ? 0 : m_records.last().id;
    m_loader(next, [self, generation](QList<DeploymentRecord> page, QString error) {
        if (!self || generation != self->m_generation)
            return;
        self->m_loading = false;
        self->m_error = error;
        if (!error.isEmpty() || page.size() < PageSize)
            self->m_atEnd = true;
        if (!page.isEmpty()) {
            const int first = int(self->m_records.size());
            self->beginInsertRows({}, first, first + int(page.size()) - 1);
            self->m_records += page;
            self->endInsertRows();
        }
        emit self->pageLoaded();
    });
}

void HistoryModel::reload(const HistoryQuery &filter)
{
    beginResetModel();
    ++m_generation;
    m_filter = filter;
    m_records.clear();
    m_atEnd = false;
    m_loading = false;
    m_error.clear();
    endResetModel();
    fetchMore({});
}

} // namespace Portoser
