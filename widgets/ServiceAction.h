// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QCoreApplication>
#include <QList>
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

} // namespace Portoser
