// SPDX-License-Identifier: Apache-2.0
#include "widgets/TopologyView.h"

#include "widgets/Icons.h"
#include "widgets/StagedMoves.h"

#include <QGraphicsPathItem>
#include <QGraphicsPixmapItem>
#include <QGraphicsRectItem>
#include <QGraphicsSceneContextMenuEvent>
#include <QGraphicsSceneMouseEvent>
#include <QGraphicsSimpleTextItem>
#include <QHash>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QPointer>
#include <QStyleOptionGraphicsItem>
#include <QWheelEvent>

#include <cmath>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qreal CardWidth = 240;
constexpr qreal CardHeader = 66;
constexpr qreal ChipHeight = 28;
constexpr qreal ChipGap = 6;
constexpr qreal Margin = 10;
constexpr qreal Spacing = 24;
constexpr int Columns = 4;

QColor healthColour(const ServiceState &s)
{
    if (s.state == QLatin1String("running"))
        return s.health == QLatin1String("unhealthy") ? QColor(0xe0, 0x9b, 0x2d)
                                                      : QColor(0x3c, 0xa5, 0x5c);
    if (s.state == QLatin1String("dead") || s.state == QLatin1String("unreachable"))
        return QColor(0xd6, 0x45, 0x45);
    return QColor(0x8a, 0x8f, 0x98); // stopped, not deployed, not observed yet
}

} // namespace

/** A host: its card, the drop target of service chips. */
class HostCard : public QGraphicsRectItem
{
public:
    HostCard(const Host &host, int services)
        : QGraphicsRectItem(0, 0, CardWidth,
                            CardHeader + services * (ChipHeight + ChipGap) + Margin)
        , m_name(host.name)
    {
        m_title = new QGraphicsSimpleTextItem(host.name, this);
        QFont bold = m_title->font();
        bold.setBold(true);
        m_title->setFont(bold);
        m_title->setPos(Margin, 6);
        m_detail = new QGraphicsSimpleTextItem(
            QStringLiteral("%1  ·  %2")
                .arg(host.address(), host.arch.isEmpty() ? QStringLiteral("?") : host.arch),
            this);
        m_detail->setPos(Margin, 25);
        m_status = new QGraphicsPixmapItem(this); // an SVG: no emoji font needed
        m_status->setPos(Margin, 44);
        m_facts = new QGraphicsSimpleTextItem(QObject::tr("not observed yet"), this);
        m_facts->setPos(Margin + 17, 43);
        m_about = host.description.isEmpty() ? host.name : host.description;
        setToolTip(m_about);
        setAcceptDrops(false);
        setCacheMode(DeviceCoordinateCache);
    }
    QString name() const { return m_name; }
    QString facts() const { return m_facts->text(); }
    void setColours(const QPalette &palette)
    {
        setBrush(palette.color(QPalette::AlternateBase));
        setPen(QPen(palette.color(QPalette::Mid), 1));
        m_title->setBrush(palette.color(QPalette::Text));
        m_detail->setBrush(palette.color(QPalette::PlaceholderText));
        m_facts->setBrush(palette.color(QPalette::PlaceholderText));
    }
    /** What the last observation said: reachable with its load, memory and disk, or why not. */
    void setState(const HostState &h)
    {
        if (!h.reachable) {
            m_status->setPixmap(
                Icons::themed(u"unreachable"_s, QColor(0xc6, 0x28, 0x28)).pixmap(14, 14));
            m_status->setToolTip(QObject::tr("unreachable"));
            m_facts->setText(QObject::tr("unreachable"));
            m_facts->setToolTip(h.error);
            setToolTip(QObject::tr("%1: unreachable — %2").arg(m_name, h.error));
            return;
        }
        setToolTip(m_about);
        QStringList facts;
        if (h.load1 >= 0)
            facts << QObject::tr("load %1").arg(h.load1, 0, 'f', 2);
        if (h.memTotalKb > 0 && h.memAvailKb >= 0)
            facts << QObject::tr("mem %1%").arg(100 - 100 * h.memAvailKb / h.memTotalKb);
        if (h.diskUsedPct >= 0)
            facts << QObject::tr("disk %1%").arg(h.diskUsedPct);
        m_status->setPixmap(Icons::themed(u"reachable"_s, QColor(0x2e, 0x7d, 0x32)).pixmap(14, 14));
        m_status->setToolTip(QObject::tr("reachable"));
        m_facts->setText(facts.join(QStringLiteral(" · ")));
        m_facts->setToolTip(QObject::tr("answered in %1 ms").arg(h.roundTripMs));
        if (!h.os.isEmpty())
            m_detail->setText(m_detail->text().section(QStringLiteral("  ·  "), 0, 0)
                              + QStringLiteral("  ·  %1/%2").arg(h.os, h.arch));
    }
    void setHighlighted(bool on)
    {
        QPen p = pen();
        p.setWidthF(on ? 2.5 : 1);
        setPen(p);
    }
    enum {
        Type = UserType + 1
    };
    int type() const override { return Type; }

private:
    QString m_name;
    QGraphicsSimpleTextItem *m_title;
    QGraphicsSimpleTextItem *m_detail;
    QGraphicsSimpleTextItem *m_facts;
    QGraphicsPixmapItem *m_status;
    QString m_about; // the host's description, its tooltip while it answers
};

/** A service on its host's card; dragged onto another card it asks for a move. */
class ServiceChip : public QGraphicsRectItem
{
public:
    ServiceChip(const Service &s, TopologyView *view, QGraphicsItem *parent)
        : QGraphicsRectItem(0, 0, CardWidth - 2 * Margin, ChipHeight, parent)
        , m_service(s.name)
        , m_host(s.currentHost)
        , m_view(view)
    {
        const auto port = s.effectivePort();
        m_label = QStringLiteral("%1  %2%3")
                      .arg(s.name, toString(s.type),
                           port ? QStringLiteral("  :%1").arg(*port) : QString());
        m_stateText = QObject::tr("%1 on %2 — drag onto another host to stage a move")
                          .arg(s.name, s.currentHost);
        setFlag(ItemIsMovable);
        setFlag(ItemIsSelectable);
        // Drawn once into a pixmap and reused: a drag over thousands of chips repaints fast.
        setCacheMode(DeviceCoordinateCache);
        setCursor(Qt::OpenHandCursor);
        setToolTip(m_stateText);
        setZValue(1);
    }
    QString service() const { return m_service; }
    QString host() const { return m_host; }
    void setHome(const QPointF &p)
    {
        m_home = p;
        setPos(p);
    }
    void setState(const ServiceState &state)
    {
        m_colour = healthColour(state);
        m_stateText =
            QObject::tr("%1 on %2: %3%4")
                .arg(m_service, m_host,
                     state.state.isEmpty() ? QObject::tr("not observed yet") : state.state,
                     state.health.isEmpty() ? QString() : QStringLiteral(", ") + state.health);
        updateToolTip();
        update();
    }
    void setRoute(const TopologyView::Route &route)
    {
        m_route = route;
        // A lock when the ingress route is right, a warning otherwise: SVG icons, drawn the
        // same with or without an emoji font.
        m_routeMark = route.state.isEmpty() ? QPixmap()
                      : route.state == QLatin1String("ok")
                          ? Icons::themed(u"lock"_s, QColor(0x2e, 0x7d, 0x32)).pixmap(14, 14)
                          : Icons::themed(u"warning"_s, QColor(0xe6, 0x51, 0x00)).pixmap(14, 14);
        update();
        updateToolTip();
    }
    void updateToolTip()
    {
        QString text = m_stateText;
        if (!m_route.url.isEmpty())
            text += QObject::tr("\n%1 (route %2)").arg(m_route.url, m_route.state);
        setToolTip(text);
    }
    void setStagedTo(const QString &host)
    {
        m_stagedTo = host;
        m_badge = host.isEmpty()   ? QString()
                  : host == m_host ? QObject::tr("↻ redeploy")
                                   : QStringLiteral("→ %1").arg(host);
        update();
    }
    void setColours(const QPalette &palette) { m_palette = palette; }
    enum {
        Type = UserType + 2
    };
    int type() const override { return Type; }

    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *) override
    {
        painter->setRenderHint(QPainter::Antialiasing);
        QPen pen(isSelected() ? m_palette.color(QPalette::Highlight)
                              : m_palette.color(QPalette::Mid),
                 isSelected() ? 2 : 1);
        if (!m_stagedTo.isEmpty())
            pen.setStyle(Qt::DashLine);
        painter->setPen(pen);
        painter->setBrush(m_palette.color(QPalette::Base));
        painter->drawRoundedRect(rect(), 6, 6);
        painter->setPen(Qt::NoPen);
        painter->setBrush(m_colour);
        painter->drawEllipse(QPointF(11, rect().height() / 2), 5, 5);
        // Zoomed far out (a whole large cluster in view) the text could not be read anyway.
        if (option->levelOfDetailFromTransform(painter->worldTransform()) < 0.4)
            return;
        const QRectF text = rect().adjusted(22, 0, -6, 0);
        painter->setPen(m_palette.color(QPalette::Text));
        painter->drawText(text, Qt::AlignVCenter | Qt::AlignLeft, m_label);
        painter->setPen(m_palette.color(QPalette::Highlight));
        QRectF badge = text;
        if (!m_routeMark.isNull()) {
            painter->drawPixmap(QPointF(text.right() - 14, text.center().y() - 7), m_routeMark);
            badge.setRight(text.right() - 18);
        }
        painter->drawText(badge, Qt::AlignVCenter | Qt::AlignRight, m_badge);
    }

protected:
    void contextMenuEvent(QGraphicsSceneContextMenuEvent *event) override
    {
        // The menu's own event loop may see the registry reload and this chip deleted: only
        // copies are used after it.
        const QString service = m_service, host = m_host;
        const QPointer<TopologyView> view = m_view;
        QMenu menu;
        QAction *redeploy =
            menu.addAction(m_stagedTo == m_host ? QObject::tr("Unmark for redeploy")
                                                : QObject::tr("Mark for redeploy on %1").arg(host));
        menu.addSeparator();
        QHash<QAction *, ServiceAction> actions;
        addServiceActions(menu, actions, view->actionRefusal());
        QAction *chosen = menu.exec(event->screenPos());
        if (!view || !chosen)
            return;
        if (chosen == redeploy)
            emit view->redeployRequested(service, host);
        else if (actions.contains(chosen))
            emit view->serviceActionRequested(service, actions.value(chosen));
    }
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override
    {
        setCursor(Qt::ClosedHandCursor);
        setZValue(10);
        QGraphicsRectItem::mousePressEvent(event);
    }
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override
    {
        QGraphicsRectItem::mouseReleaseEvent(event);
        setCursor(Qt::OpenHandCursor);
        setZValue(1);
        const QPointF dropped = event->scenePos();
        setPos(m_home); // the window decides; the chip goes back until a deploy moves it
        m_view->chipDropped(this, dropped);
    }

private:
    QString m_service;
    QString m_host;
    TopologyView *m_view;
    QString m_label;
    QString m_badge; // "→ host" when a move is staged
    QPixmap m_routeMark;
    QString m_stateText;
    TopologyView::Route m_route;
    QPointF m_home;
    QColor m_colour = healthColour({});
    QString m_stagedTo;
    QPalette m_palette;
};

TopologyView::TopologyView(QWidget *parent)
    : QGraphicsView(parent)
    , m_scene(new QGraphicsScene(this))
{
    setScene(m_scene);
    setRenderHint(QPainter::Antialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setAccessibleName(tr("Cluster topology"));
    setAccessibleDescription(
        tr("Hosts with their services; drag a service onto another host to stage a move"));
}

TopologyView::~TopologyView() = default;

void TopologyView::setRegistry(const Registry &registry)
{
    m_scene->clear();
    m_hosts.clear();
    m_chips.clear();
    m_refusal = nullptr;
    m_edges = nullptr;
    m_dependencies.clear();
    for (const Service &s : registry.services) {
        for (const QString &dependency : s.allDependencies())
            m_dependencies.append({s.name, dependency});
    }
    const QPalette pal = palette();
    int index = 0;
    QList<qreal> columnBottom(Columns, 0);
    for (const Host &host : registry.hosts) {
        const QList<const Service *> services = registry.servicesOn(host.name);
        auto *card = new HostCard(host, int(services.size()));
        card->setColours(pal);
        const int column = index++ % Columns;
        card->setPos(column * (CardWidth + Spacing), columnBottom[column]);
        columnBottom[column] += card->rect().height() + Spacing;
        m_scene->addItem(card);
        m_hosts.insert(host.name, card);
        qreal y = CardHeader;
        for (const Service *s : services) {
            auto *chip = new ServiceChip(*s, this, card);
            chip->setColours(pal);
            chip->setHome({Margin, y});
            y += ChipHeight + ChipGap;
            m_chips.insert(s->name, chip);
        }
    }
    m_scene->setSceneRect(
        m_scene->itemsBoundingRect().adjusted(-Spacing, -Spacing, Spacing, Spacing));
    refreshBadges();
    drawDependencies();
    if (!m_userZoomed)
        fitScene();
}

void TopologyView::setHostStates(const QList<HostState> &hosts)
{
    for (const HostState &h : hosts) {
        if (HostCard *card = m_hosts.value(h.host))
            card->setState(h);
    }
}

QString TopologyView::hostSummary(const QString &host) const
{
    const HostCard *card = m_hosts.value(host);
    return card ? card->facts() : QString();
}

void TopologyView::fitAll()
{
    m_userZoomed = false;
    fitScene();
}

void TopologyView::setDependenciesShown(bool shown)
{
    m_dependenciesShown = shown;
    drawDependencies();
}

int TopologyView::dependencyEdgeCount() const
{
    return m_edges && m_edges->isVisible() ? m_edgeCount : 0;
}

QPainterPath TopologyView::dependencyPath() const
{
    return m_edges && m_edges->isVisible() ? m_edges->path() : QPainterPath();
}

QRectF TopologyView::chipTextRect(const QString &service) const
{
    const ServiceChip *chip = m_chips.value(service);
    return chip ? chip->sceneBoundingRect().adjusted(22, 4, -6, -4) : QRectF();
}

void TopologyView::drawDependencies()
{
    // One path for every edge: thousands of arrows cost one item, not thousands.
    if (!m_dependenciesShown) {
        if (m_edges)
            m_edges->hide();
        return;
    }
    QPainterPath path;
    m_edgeCount = 0;
    qreal cardsTop = 0; // the lane above every card
    for (const HostCard *card : std::as_const(m_hosts))
        cardsTop = std::min(cardsTop, card->sceneBoundingRect().top());
    for (const auto &[from, to] : std::as_const(m_dependencies)) {
        const ServiceChip *a = m_chips.value(from);
        const ServiceChip *b = m_chips.value(to);
        if (!a || !b)
            continue;
        // Routed through the gaps between cards, never across a chip: out of the dependent's
        // card on the side facing the dependency, along the gutter beside it (and, to a column
        // further away, the lane above the cards), into the dependency's card from its side.
        // Edges sharing a gutter are set a few pixels apart so each can be followed.
        const QRectF ra = a->sceneBoundingRect(), rb = b->sceneBoundingRect();
        const QRectF ca = a->parentItem()->sceneBoundingRect();
        const QRectF cb = b->parentItem()->sceneBoundingRect();
        const qreal lane = qreal(m_edgeCount % 5 - 2) * 3;
        const qreal gutter = Spacing / 2;
        const qreal ya = ra.center().y(), yb = rb.center().y();
        QList<QPointF> points;
        if (cb.left() > ca.right() || cb.right() < ca.left()) { // another column
            const bool right = cb.left() > ca.right();
            const qreal out = right ? ca.right() + gutter + lane : ca.left() - gutter + lane;
            const qreal in = right ? cb.left() - gutter + lane : cb.right() + gutter + lane;
            points << QPointF(right ? ra.right() : ra.left(), ya) << QPointF(out, ya);
            if (std::abs(in - out) > 1) { // not the neighbouring column: over the top
                const qreal top = cardsTop - gutter + lane;
                points << QPointF(out, top) << QPointF(in, top);
            }
            points << QPointF(in, yb) << QPointF(right ? rb.left() : rb.right(), yb);
        } else { // the same column: down or up the gutter on its right
            const qreal out = std::max(ca.right(), cb.right()) + gutter + lane;
            points << QPointF(ra.right(), ya) << QPointF(out, ya) << QPointF(out, yb)
                   << QPointF(rb.right(), yb);
        }
        path.moveTo(points.first());
        for (qsizetype i = 1; i < points.size(); ++i)
            path.lineTo(points.at(i));
        const QPointF end = points.last();
        const qreal towards = end.x() > points.at(points.size() - 2).x() ? -7 : 7;
        path.moveTo(end);
        path.lineTo(end + QPointF(towards, -4));
        path.moveTo(end);
        path.lineTo(end + QPointF(towards, 4));
        ++m_edgeCount;
    }
    if (!m_edges) {
        m_edges = m_scene->addPath(path);
        m_edges->setZValue(5);
        m_edges->setAcceptedMouseButtons(Qt::NoButton);
    } else {
        m_edges->setPath(path);
    }
    QPen pen(palette().color(QPalette::Highlight), 1.5);
    pen.setCosmetic(true);
    m_edges->setPen(pen);
    m_edges->show();
}

void TopologyView::changeEvent(QEvent *event)
{
    // Light/dark switch: cards and chips take the new palette.
    if (event->type() == QEvent::PaletteChange
        || event->type() == QEvent::ApplicationPaletteChange) {
        const QPalette pal = palette();
        for (HostCard *card : std::as_const(m_hosts))
            card->setColours(pal);
        for (ServiceChip *chip : std::as_const(m_chips)) {
            chip->setColours(pal);
            chip->update();
        }
        drawDependencies();
    }
    QGraphicsView::changeEvent(event);
}

void TopologyView::fitScene()
{
    // The whole cluster in view, but never blown up past its natural size.
    fitInView(m_scene->sceneRect(), Qt::KeepAspectRatio);
    if (transform().m11() > 1.0)
        resetTransform();
}

void TopologyView::setStagedMoves(const StagedMoves *staged)
{
    m_staged = staged;
    connect(staged, &StagedMoves::changed, this, &TopologyView::refreshBadges);
    refreshBadges();
}

void TopologyView::refreshBadges()
{
    for (ServiceChip *chip : std::as_const(m_chips))
        chip->setStagedTo(m_staged ? m_staged->destinationOf(chip->service()) : QString());
}

void TopologyView::setStates(const QMap<QString, ServiceState> &states)
{
    for (auto it = states.cbegin(); it != states.cend(); ++it) {
        if (ServiceChip *chip = m_chips.value(it.key()))
            chip->setState(it.value());
    }
}

void TopologyView::setRoutes(const QMap<QString, Route> &routes)
{
    for (auto it = routes.cbegin(); it != routes.cend(); ++it) {
        if (ServiceChip *chip = m_chips.value(it.key()))
            chip->setRoute(it.value());
    }
}

QString TopologyView::chipToolTip(const QString &service) const
{
    const ServiceChip *chip = m_chips.value(service);
    return chip ? chip->toolTip() : QString();
}

int TopologyView::highlight(const QString &text)
{
    int matches = 0;
    for (ServiceChip *chip : std::as_const(m_chips)) {
        const bool on = !text.isEmpty() && chip->service().contains(text, Qt::CaseInsensitive);
        chip->setSelected(on);
        matches += on;
    }
    for (HostCard *card : std::as_const(m_hosts))
        card->setHighlighted(!text.isEmpty() && card->name().contains(text, Qt::CaseInsensitive));
    return matches;
}

void TopologyView::chipDropped(ServiceChip *chip, const QPointF &scenePosition)
{
    for (QGraphicsItem *item : m_scene->items(scenePosition)) {
        if (item->type() != HostCard::Type)
            continue;
        const QString host = static_cast<HostCard *>(item)->name();
        if (host != chip->host() || !m_staged
            || !m_staged->destinationOf(chip->service()).isEmpty())
            emit moveRequested(chip->service(), host, scenePosition);
        return;
    }
}

void TopologyView::showRefusal(const QString &reason, const QPointF &scenePosition)
{
    if (!m_refusal) {
        m_refusal = m_scene->addSimpleText(QString());
        m_refusal->setZValue(20);
        m_refusal->setBrush(QColor(0xd6, 0x45, 0x45));
    }
    m_refusal->setText(reason);
    m_refusal->setPos(scenePosition + QPointF(8, 8));
    m_refusal->setVisible(!reason.isEmpty());
}

QString TopologyView::refusalText() const
{
    return m_refusal && m_refusal->isVisible() ? m_refusal->text() : QString();
}

QPoint TopologyView::chipPosition(const QString &service) const
{
    const ServiceChip *chip = m_chips.value(service);
    return chip ? mapFromScene(chip->sceneBoundingRect().center()) : QPoint();
}

QPoint TopologyView::hostPosition(const QString &host) const
{
    const HostCard *card = m_hosts.value(host);
    if (!card)
        return {};
    const QRectF r = card->sceneBoundingRect();
    return mapFromScene(
        QPointF(r.center().x(), r.top() + CardHeader / 2)); // on the card, not a chip
}

void TopologyView::wheelEvent(QWheelEvent *event)
{
    if (!(event->modifiers() & Qt::ControlModifier)) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    m_userZoomed = true;
    const qreal factor = std::pow(1.0015, event->angleDelta().y());
    scale(factor, factor);
}

void TopologyView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    if (!m_userZoomed && m_scene)
        fitScene();
}

} // namespace Portoser
