// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Registry.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QStringList>

namespace Portoser {

/**
 * Service dependencies as a graph: deploy order in waves (each wave only needs earlier waves),
 * cycles with a concrete path, and the impact of a service (everything that depends on it).
 * Dependencies on services the registry does not define are left out; the validator reports them.
 */
class DependencyGraph
{
public:
    explicit DependencyGraph(const Registry &registry);

    /** Direct dependencies of `service`, sorted. */
    QStringList dependenciesOf(const QString &service) const;
    /** Direct dependents of `service` (who lists it as a dependency), sorted. */
    QStringList dependentsOf(const QString &service) const;

    /** Every cycle, each as a path that returns to its start: {"a", "b", "a"}. */
    QList<QStringList> cycles() const;

    /**
     * Deploy waves for `services` and everything they need (all services when empty): wave 0
     * has no dependencies, wave N depends only on waves before it. Empty when a cycle blocks it.
     */
    QList<QStringList> waves(const QStringList &services = {}) const;

    /** Services that depend on `service`, directly or not, with the distance (1 = direct). */
    QMap<QString, int> impactOf(const QString &service) const;

    /** `services` plus everything they depend on, transitively. */
    QStringList closure(const QStringList &services) const;

private:
    QMap<QString, QStringList> m_dependencies; // service -> known dependencies (sorted)
    QMap<QString, QStringList> m_dependents;   // service -> services that depend on it
};

} // namespace Portoser
