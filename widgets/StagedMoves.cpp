// SPDX-License-Identifier: Apache-2.0
#include "widgets/StagedMoves.h"

namespace Portoser {

int StagedMoves::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_moves.size());
}

QVariant StagedMoves::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const StagedMove &m = m_moves.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return m.isRedeploy() ? tr("redeploy %1 on %2").arg(m.service, m.to)
                              : tr("move %1: %2 → %3").arg(m.service, m.from, m.to);
    case Qt::ToolTipRole:
        if (m.isRedeploy())
            return tr("Staged: %1 will be deployed again on %2 even if nothing changed "
                      "(as `deploy --force`)")
                .arg(m.service, m.to);
        return tr("Staged: %1 will be deployed on %2, pass its health gate there, and only then "
                  "be stopped on %3")
            .arg(m.service, m.to, m.from);
    case ServiceRole:
        return m.service;
    case FromRole:
        return m.from;
    case ToRole:
        return m.to;
    default:
        return {};
    }
}

QHash<int, QByteArray> StagedMoves::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert({{ServiceRole, "service"}, {FromRole, "from"}, {ToRole, "to"}});
    return names;
}

void StagedMoves::stage(const StagedMove &move)
{
    for (int row = 0; row < m_moves.size(); ++row) {
        if (m_moves.at(row).service != move.service)
            continue;
        if (move.to == m_moves.at(row).from) { // back where it runs: nothing to do
            undo(row);
            return;
        }
        m_moves[row].to = move.to;
        emit dataChanged(index(row), index(row));
        emit changed();
        return;
    }
    const int row = int(m_moves.size());
    beginInsertRows({}, row, row);
    m_moves.append(move);
    endInsertRows();
    emit changed();
}

void StagedMoves::markRedeploy(const QString &service, const QString &host)
{
    for (int row = 0; row < m_moves.size(); ++row) {
        if (m_moves.at(row).service == service) {
            const bool wasRedeploy = m_moves.at(row).isRedeploy();
            undo(row);
            if (wasRedeploy)
                return;
            break; // a staged move becomes a redeploy where it runs now
        }
    }
    const int row = int(m_moves.size());
    beginInsertRows({}, row, row);
    m_moves.append({service, host, host});
    endInsertRows();
    emit changed();
}

void StagedMoves::undo(int row)
{
    if (row < 0 || row >= m_moves.size())
        return;
    beginRemoveRows({}, row, row);
    m_moves.removeAt(row);
    endRemoveRows();
    emit changed();
}

void StagedMoves::clear()
{
    if (m_moves.isEmpty())
        return;
    beginResetModel();
    m_moves.clear();
    endResetModel();
    emit changed();
}

void StagedMoves::remove(const QList<StagedMove> &done)
{
    for (int row = int(m_moves.size()) - 1; row >= 0; --row) {
        if (done.contains(m_moves.at(row)))
            undo(row);
    }
}

QString StagedMoves::destinationOf(const QString &service) const
{
    for (const StagedMove &m : m_moves) {
        if (m.service == service)
            return m.to;
    }
    return {};
}

} // namespace Portoser
