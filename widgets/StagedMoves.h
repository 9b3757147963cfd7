// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractListModel>
#include <QList>

namespace Portoser {

/** A move the operator staged by dragging a service onto another host; nothing ran yet. */
struct StagedMove
{
    QString service;
    QString from;
    QString to;
};

/**
 * The changes staged in the topology view, waiting for Deploy: one row per service (staging a
 * service again replaces its earlier move; moving it back home drops it). Undone one by one or
 * all at once.
 */
class StagedMoves : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        ServiceRole = Qt::UserRole + 1,
        FromRole,
        ToRole
    };

    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void stage(const StagedMove &move);
    void undo(int row);
    void clear();
    const QList<StagedMove> &moves() const { return m_moves; }
    /** Where `service` is staged to go, or empty. */
    QString destinationOf(const QString &service) const;

signals:
    void changed();

private:
    QList<StagedMove> m_moves;
};

} // namespace Portoser
