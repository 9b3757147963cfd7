// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QMenu>
#include <QString>

namespace Portoser {

/** What an operator can do to one running (or stopped) service from its menu. */
enum class ServiceAction {
    Start,
    Stop,
    Restart
};

inline QList<ServiceAction> allServiceActions()
{
    return {ServiceAction::Start, ServiceAction::Stop, ServiceAction::Restart};
}

/** The menu entry's text. */
inline QString menuText(ServiceAction action)
{
    switch (action) {
    case ServiceAction::Start:
        return QCoreApplication::translate("ServiceAction", "Start");
    case ServiceAction::Stop:
        return QCoreApplication::translate("ServiceAction", "Stop");
    case ServiceAction::Restart:
        return QCoreApplication::translate("ServiceAction", "Restart");
    }
    return {};
}

/** Adds Start, Stop and Restart to `menu`, each remembered in `actions`; with a `refusal`
 *  (a viewer of a coordinator) they are there but disabled, and say why. */
inline void addServiceActions(QMenu &menu, QHash<QAction *, ServiceAction> &actions,
                              const QString &refusal)
{
    menu.setToolTipsVisible(true);
    for (const ServiceAction action : allServiceActions()) {
        QAction *item = menu.addAction(menuText(action));
        item->setEnabled(refusal.isEmpty());
        item->setToolTip(refusal);
        actions.insert(item, action);
    }
}

} // namespace Portoser
