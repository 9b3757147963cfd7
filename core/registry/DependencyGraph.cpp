// SPDX-License-Identifier: Apache-2.0
#include "core/registry/DependencyGraph.h"

#include <QSet>

#include <algorithm>
#include <functional>

namespace Portoser {

DependencyGraph::DependencyGraph(const Registry &registry)
{
    for (const Service &s : registry.services) {
        QStringList deps;
        for (const QString &dep : s.allDependencies()) {
            if (registry.services.contains(dep) && !deps.contains(dep))
                deps.append(dep);
        }
        std::sort(deps.begin(), deps.end());
        m_dependencies.insert(s.name, deps);
        m_dependents[s.name]; // every service is a node, even one nobody needs
    }
    for (auto it = m_dependencies.cbegin(); it != m_dependencies.cend(); ++it) {
        for (const QString &dep : it.value())
            m_dependents[dep].append(it.key()); // keys iterate sorted, so lists stay sorted
    }
}

QStringList DependencyGraph::dependenciesOf(const QString &service) const
{
    return m_dependencies.value(service);
}

QStringList DependencyGraph::dependentsOf(const QString &service) const
{
    return m_dependents.value(service);
}

QList<QStringList> DependencyGraph::cycles() const
{
    // Tarjan's strongly connected components; each component with a loop yields one cycle path.
    QHash<QString, int> index;
    QHash<QString, int> lowLink;
    QStringList stack;
    QSet<QString> onStack;
    QList<QStringList> components;
    int counter = 0;

    std::function<void(const QString &)> connect = [&](const QString &v) {
        index.insert(v, counter);
        lowLink.insert(v, counter);
        ++counter;
        stack.append(v);
        onStack.insert(v);
        for (const QString &w : m_dependencies.value(v)) {
            if (!index.contains(w)) {
                connect(w);
                lowLink[v] = std::min(lowLink[v], lowLink[w]);
            } else if (onStack.contains(w)) {
                lowLink[v] = std::min(lowLink[v], index[w]);
            }
        }
        if (lowLink[v] == index[v]) {
            QStringList component;
            QString w;
            do {
                w = stack.takeLast();
                onStack.remove(w);
                component.append(w);
            } while (w != v);
            const bool selfLoop = m_dependencies.value(v).contains(v);
            if (component.size() > 1 || selfLoop)
                components.append(component);
        }
    };
    for (auto it = m_dependencies.cbegin(); it != m_dependencies.cend(); ++it) {
        if (!index.contains(it.key()))
            connect(it.key());
    }

    QList<QStringList> result;
    for (QStringList component : components) {
        std::sort(component.begin(), component.end());
        const QSet<QString> members(component.begin(), component.end());
        // Walk from the smallest name inside the component until we come back to it.
        const QString start = component.first();
        QStringList path{start};
        QSet<QString> visited{start};
        std::function<bool(const QString &)> walk = [&](const QString &v) {
            for (const QString &w : m_dependencies.value(v)) {
                if (w == start) {
                    path.append(start);
                    return true;
                }
                if (members.contains(w) && !visited.contains(w)) {
                    visited.insert(w);
                    path.append(w);
                    if (walk(w))
                        return true;
                    path.removeLast();
                }
            }
            return false;
        };
        walk(start);
        result.append(path);
    }
    std::sort(result.begin(), result.end());
    return result;
}

QStringList DependencyGraph::closure(const QStringList &services) const
{
    QStringList out;
    QStringList todo = services;
    while (!todo.isEmpty()) {
        const QString s = todo.takeFirst();
        if (out.contains(s) || !m_dependencies.contains(s))
            continue;
        out.append(s);
        todo += m_dependencies.value(s);
    }
    std::sort(out.begin(), out.end());
    return out;
}

QList<QStringList> DependencyGraph::waves(const QStringList &services) const
{
    const QStringList nodes = services.isEmpty() ? m_dependencies.keys() : closure(services);
    QHash<QString, int> pending; // unmet dependencies per node
    for (const QString &n : nodes)
        pending.insert(n, int(m_dependencies.value(n).size()));

    QList<QStringList> result;
    QStringList ready;
    for (const QString &n : nodes) {
        if (pending.value(n) == 0)
            ready.append(n);
    }
    qsizetype placed = 0;
    while (!ready.isEmpty()) {
        std::sort(ready.begin(), ready.end());
        result.append(ready);
        placed += ready.size();
        QStringList next;
        for (const QString &done : std::as_const(ready)) {
            for (const QString &dependent : m_dependents.value(done)) {
                if (pending.contains(dependent) && --pending[dependent] == 0)
                    next.append(dependent);
            }
        }
        ready = next;
    }
    if (placed != nodes.size())
        return {}; // a cycle keeps some services waiting forever
    return result;
}

QMap<QString, int> DependencyGraph::impactOf(const QString &service) const
{
    QMap<QString, int> distance;
    QStringList frontier{service};
    for (int depth = 1; !frontier.isEmpty(); ++depth) {
        QStringList next;
        for (const QString &s : std::as_const(frontier)) {
            for (const QString &dependent : m_dependents.value(s)) {
                if (dependent != service && !distance.contains(dependent)) {
                    distance.insert(dependent, depth);
                    next.append(dependent);
                }
            }
        }
        frontier = next;
    }
    return distance;
}

} // namespace Portoser
