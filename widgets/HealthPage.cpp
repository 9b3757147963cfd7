// SPDX-License-Identifier: Apache-2.0
#include "widgets/HealthPage.h"

#include "core/heal/HealService.h"
#include "widgets/ClusterLink.h"
#include "widgets/Durations.h"
#include "widgets/Icons.h"
#include "widgets/PageLayout.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QToolButton>
#include <QTreeWidget>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

HealthPage::HealthPage(ClusterLink *link, QWidget *parent)
    : QWidget(parent)
    , m_link(link)
{
    auto *diagnose = new QPushButton(tr("&Diagnose"), this);
    diagnose->setObjectName(QStringLiteral("diagnoseButton"));
    diagnose->setToolTip(tr("Observe every service and name its problems (as `diagnose`)"));
    m_services = new QTreeWidget(this);
    m_services->setObjectName(QStringLiteral("healthTree"));
    m_services->setHeaderLabels({tr("Service"), tr("Host"), tr("State"), tr("Health"), tr("PID"),
                                 tr("Uptime"), tr("Score"), tr("Problem")});
    m_services->setAccessibleName(tr("Service health"));
    // A service's row offers what its chip on the topology offers: start, stop, restart.
    m_services->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_services, &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        QTreeWidgetItem *item = m_services->itemAt(at);
        while (item && item->parent())
            item = item->parent(); // a problem row belongs to its service
        if (!item)
            return;
        const QString service = item->text(ServiceColumn);
        QMenu menu;
        QHash<QAction *, ServiceAction> actions;
        addServiceActions(menu, actions,
                          m_link->may(Role::Operator) ? QString() : roleNeeded(Role::Operator));
        if (QAction *chosen = menu.exec(m_services->viewport()->mapToGlobal(at)))
            emit serviceActionRequested(service, actions.value(chosen));
    });
    m_events = new QTreeWidget(this);
    m_events->setObjectName(QStringLiteral("healEventsTable"));
    m_events->setAccessibleName(tr("Self-heal events"));
    m_events->setRootIsDecorated(false);
    m_events->setUniformRowHeights(true);
    m_events->setWordWrap(false);
    m_events->setHeaderLabels({tr("Time"), tr("Service"), tr("Host"), tr("Event"), tr("Problem"),
                               tr("Playbook"), tr("Record"), tr("Detail")});
    for (int column = 0; column < 7; ++column)
        m_events->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_status = new QLabel(this);

    Icons::set(diagnose, QStringLiteral("diagnose"));
    m_bar = new QHBoxLayout;
    m_bar->addWidget(diagnose);
    m_bar->addStretch(1);
    layOutPage(this, m_bar, m_services, m_events, m_status);
    connect(diagnose, &QPushButton::clicked, this, &HealthPage::diagnose);
}

void HealthPage::addToolAction(QAction *action)
{
    auto *button = new QToolButton(this);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_bar->insertWidget(m_bar->count() - 1, button); // before the stretch
}

void HealthPage::setRegistry(const Registry &registry)
{
    if (m_registry && m_registry->path != registry.path)
        clearServices(); // another cluster
    m_registry = registry;
}

void HealthPage::diagnose()
{
    if (!m_registry)
        return;
    m_status->setText(tr("Diagnosing…"));
    m_link->diagnose(*m_registry).then(this, [this](Result<DiagnoseResult> r) {
        clearServices();
        if (!r) {
            m_status->setText(tr("Diagnosis failed: %1").arg(r.error().message));
            return;
        }
        int problems = 0;
        for (const ServiceDiagnosis &d : r->diagnosis.services) {
            QTreeWidgetItem *item = rowOf(d.service);
            showState(item, d.observed);
            item->setText(ScoreColumn, QString::number(d.score));
            item->setText(ProblemColumn,
                          d.problems.isEmpty() ? QString() : d.problems.first().fingerprint);
            const QList<Playbook> playbooks = r->playbooks.value(d.service);
            for (qsizetype i = 0; i < d.problems.size(); ++i) {
                const Problem &p = d.problems.at(i);
                auto *problem = new QTreeWidgetItem(item);
                problem->setText(ScoreColumn, tr("%1%").arg(p.confidence));
                problem->setText(ProblemColumn, tr("%1: %2 (playbook %3)")
                                                    .arg(p.fingerprint, p.summary,
                                                         playbooks.value(i).name.isEmpty()
                                                             ? tr("none")
                                                             : playbooks.value(i).name));
            }
            item->setExpanded(!d.problems.isEmpty());
            problems += !d.problems.isEmpty();
        }
        m_services->header()->resizeSections(QHeaderView::ResizeToContents);
        m_status->setText(
            tr("%1 services, %2 with problems").arg(r->diagnosis.services.size()).arg(problems));
    });
}

QTreeWidgetItem *HealthPage::rowOf(const QString &service)
{
    // Indexed: an observation of thousands of services must not search the tree for each.
    QTreeWidgetItem *&row = m_rows[service];
    if (!row)
        row = new QTreeWidgetItem(m_services, {service});
    return row;
}

void HealthPage::clearServices()
{
    m_services->clear();
    m_rows.clear();
}

void HealthPage::showState(QTreeWidgetItem *item, const ServiceState &s)
{
    item->setText(HostColumn, s.host);
    // Where the healer holds back shows beside what the host says.
    item->setText(
        StateColumn,
        s.healer == u"given_up"_s ? tr("%1, given up (%2)").arg(s.state, s.healerDetail)
        : s.healer == u"backing_off"_s
            ? tr("%1, backing off until %2")
                  .arg(s.state,
                       QDateTime::fromSecsSinceEpoch(s.healerUntil).toString(u"HH:mm:ss"_s))
            : s.state);
    item->setText(HealthColumn, s.health.isEmpty() ? u"-"_s : s.health);
    item->setText(PidColumn, s.pid ? QString::number(s.pid) : u"-"_s);
    item->setText(UptimeColumn, s.uptimeSeconds ? humanDuration(s.uptimeSeconds) : u"-"_s);
    item->setToolTip(HealthColumn, s.healthDetail);
}

void HealthPage::showObservation(const QList<HostState> &hosts)
{
    // What `observe` says of each service; score and problems stay as the last Diagnose left
    // them until the next one.
    for (const HostState &h : hosts) {
        for (const ServiceState &s : h.services) {
            showState(rowOf(s.service), s);
        }
    }
}

void HealthPage::loadEvents()
{
    m_link->healEvents(100).then(this, [this](Result<QList<HealEvent>> events) {
        if (!events)
            return;
        m_events->clear();
        for (const HealEvent &e : *events)
            putEvent(e, false);
    });
}

void HealthPage::addEvent(const HealEvent &event)
{
    putEvent(event, true);
}

void HealthPage::putEvent(const HealEvent &e, bool newestFirst)
{
    const QDateTime at = e.at.toLocalTime();
    auto *row = new QTreeWidgetItem(
        {at.date() == QDate::currentDate() ? at.toString(u"HH:mm:ss"_s)
                                           : at.toString(u"yyyy-MM-dd HH:mm:ss"_s),
         e.service, e.host, HealEvent::kindName(e.kind), e.fingerprint, e.playbook,
         e.recordId ? u"#%1"_s.arg(e.recordId) : QString(), e.detail});
    row->setToolTip(7, e.detail);
    row->setData(6, Qt::UserRole, e.recordId);
    if (e.kind == HealEvent::Kind::Down || e.kind == HealEvent::Kind::GivenUp)
        row->setForeground(3, QColor(0xc6, 0x28, 0x28));
    else if (e.kind == HealEvent::Kind::Recovered)
        row->setForeground(3, QColor(0x2e, 0x7d, 0x32));
    if (newestFirst)
        m_events->insertTopLevelItem(0, row);
    else
        m_events->addTopLevelItem(row);
}

} // namespace Portoser
