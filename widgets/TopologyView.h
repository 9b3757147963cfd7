// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/deploy/ServiceState.h"
#include "core/registry/Registry.h"
#include "widgets/ServiceAction.h"

#include <QGraphicsView>
#include <QHash>
#include <QPainterPath>

class QGraphicsPathItem;
class QGraphicsSimpleTextItem;

namespace Portoser {

class HostCard;
class ServiceChip;
class StagedMoves;

/**
 * The cluster at a glance: one card per host (name, address, arch, what the last observation
 * said) holding one chip per service (name, type, port, health colour). Dragging a chip onto
 * another host asks for a move (`moveRequested`); the window stages it or refuses it, and a
 * refusal is shown where the chip was dropped. Staged chips say where they will go. Ctrl+wheel
 * zooms; `highlight` marks the services whose name matches.
 */
class TopologyView : public QGraphicsView
{
    Q_OBJECT

public:
    explicit TopologyView(QWidget *parent = nullptr);
    ~TopologyView() override;

    void setRegistry(const Registry &registry);
    /** Badges for staged moves, kept up to date as `staged` changes. */
    void setStagedMoves(const StagedMoves *staged);
    /** Why a service's Start/Stop/Restart are disabled (a viewer of a coordinator); empty:
     *  they are enabled. */
    void setActionRefusal(const QString &why) { m_actionRefusal = why; }
    QString actionRefusal() const { return m_actionRefusal; }
    void setStates(const QMap<QString, ServiceState> &states);
    /** What the last observation said of each host: reachability, load, memory, disk. */
    void setHostStates(const QList<HostState> &hosts);
    /** The facts line of a host's card (tests read it). */
    QString hostSummary(const QString &host) const;
    /** Arrows from each service to what it depends on, on demand. */
    void setDependenciesShown(bool shown);
    int dependencyEdgeCount() const;
    /** The arrows as drawn (empty when hidden), for tests: lines only. */
    QPainterPath dependencyPath() const;
    /** Where a service chip's text is drawn, in scene coordinates (tests: arrows avoid it). */
    QRectF chipTextRect(const QString &service) const;
    /** The whole cluster in view (and Ctrl+wheel zoom forgotten). */
    void fitAll();
    /** A service's public URL behind the ingress and its route's state (ok, stale, missing). */
    struct Route
    {
        QString url;
        QString state;
    };
    void setRoutes(const QMap<QString, Route> &routes);
    /** What a chip says about its service when hovered (tests read it). */
    QString chipToolTip(const QString &service) const;
    /** Marks services whose name contains `text` (case-insensitive); empty clears. Returns how
     *  many matched. */
    int highlight(const QString &text);
    void showRefusal(const QString &reason, const QPointF &scenePosition);
    QString refusalText() const;
    /** Where a chip or a host card is, in viewport coordinates (tests drive the mouse there). */
    QPoint chipPosition(const QString &service) const;
    QPoint hostPosition(const QString &host) const;

    /** Called by a chip dropped at `scenePosition` (over a host card or not). */
    void chipDropped(ServiceChip *chip, const QPointF &scenePosition);

signals:
    void moveRequested(const QString &service, const QString &toHost, const QPointF &scenePosition);
    /** The chip's menu asked to (un)mark `service` for a redeploy in place. */
    void redeployRequested(const QString &service, const QString &host);
    /** The chip's menu asked to start, stop or restart `service`. */
    void serviceActionRequested(const QString &service, Portoser::ServiceAction action);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void refreshBadges();
    void fitScene();
    void drawDependencies();

    QGraphicsScene *m_scene;
    QHash<QString, HostCard *> m_hosts;
    QHash<QString, ServiceChip *> m_chips;
    const StagedMoves *m_staged = nullptr;
    QString m_actionRefusal;
    QGraphicsSimpleTextItem *m_refusal = nullptr;
    bool m_userZoomed = false;
    QList<std::pair<QString, QString>> m_dependencies; // dependent → dependency
    QGraphicsPathItem *m_edges = nullptr;
    bool m_dependenciesShown = false;
    int m_edgeCount = 0;
};

} // namespace Portoser
