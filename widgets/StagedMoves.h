// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractListModel>
#include <QList>

namespace Portoser {

/** A change the operator staged, nothing ran yet: a move (dragged onto another host) or a
 *  redeploy in place (marked from the chip's menu; `from` and `to` are its host). */
struct StagedMove
{
    QString service;
    QString from;
    QString to;

    bool isRedeploy() const { return from == to; }
    friend bool operator==(const StagedMove &, const StagedMove &) = default;
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
    /** Marks `service` (on `host`) for a forced redeploy in place; marking it again unmarks it. */
    void markRedeploy(const QString &service, const QString &host);
    void undo(int row);
    void clear();
    /** Drops the changes in `done` (those a deploy ran); what was staged meanwhile stays. */
    void remove(const QList<StagedMove> &done);
    const QList<StagedMove> &moves() const { return m_moves; }
    /** Where `service` is staged to go (its own host for a redeploy), or empty. */
    QString destinationOf(const QString &service) const;

signals:
    void changed();

private:
    QList<StagedMove> m_moves;
};

} // namespace Portoser
