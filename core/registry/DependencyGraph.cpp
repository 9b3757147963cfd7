// SPDX-License-Identifier: Apache-2.0
#include "core/registry/DependencyGraph.h"

#include <QSet>

#include <algorithm>

namespace Portoser {

DependencyGraph::DependencyGraph(const Registry &registry)
{
    for (const Service &s : registry.services) {
        QStringList deps;
        QSet<QString> seen;
        for (const QString &dep : s.allDependencies()) {
            if (registry.services.contains(dep) && !seen.contains(dep)) {
                seen.insert(dep);
                deps.append(dep);
            }
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
    // Tarjan's strongly connected components, walked with an explicit stack (a chain of 30,000
    // services must not overflow the call stack); each component with a loop yields one cycle.
    QHash<QString, int> index;
    QHash<QString, int> lowLink;
    QStringList stack;
    QSet<QString> onStack;
    QList<QStringList> components;
    int counter = 0;
    struct Frame
    {
        QString node;
        qsizetype next = 0; // the next dependency to look at
    };
    const auto open = [&](QList<Frame> &frames, const QString &v) {
        index.insert(v, counter);
        lowLink.insert(v, counter);
        ++counter;
        stack.append(v);
        onStack.insert(v);
        frames.append({v, 0});
    };
    for (auto it = m_dependencies.cbegin(); it != m_dependencies.cend(); ++it) {
        if (index.contains(it.key()))
            continue;
        QList<Frame> frames;
        open(frames, it.key());
        while (!frames.isEmpty()) {
            Frame &top = frames.last();
            const QString v = top.node;
            const QStringList &deps = *m_dependencies.constFind(v);
            if (top.next < deps.size()) {
                const QString w = deps.at(top.next++);
                if (!index.contains(w))
                    open(frames, w); // `top` may dangle from here on
                else if (onStack.contains(w))
                    lowLink[v] = std::min(lowLink[v], index[w]);
                continue;
            }
            frames.removeLast();
            if (!frames.isEmpty()) {
                const QString parent = frames.last().node;
                lowLink[parent] = std::min(lowLink[parent], lowLink[v]);
            }
            if (lowLink[v] == index[v]) {
                QStringList component;
                QString w;
                do {
                    w = stack.takeLast();
                    onStack.remove(w);
                    component.append(w);
                } while (w != v);
                if (component.size() > 1 || deps.contains(v))
                    components.append(component);
            }
        }
    }

    QList<QStringList> result;
    for (QStringList component : components) {
        std::sort(component.begin(), component.end());
        const QSet<QString> members(component.begin(), component.end());
        // Walk from the smallest name inside the component until it comes back (depth first,
        // with an explicit stack of where each step stands).
        const QString start = component.first();
        QStringList path{start};
        QList<qsizetype> next{0};
        QSet<QString> visited{start};
        bool closed = false;
        while (!path.isEmpty() && !closed) {
            const QStringList &deps = *m_dependencies.constFind(path.last());
            qsizetype &i = next.last();
            if (i >= deps.size()) {
                path.removeLast();
                next.removeLast();
                continue;
            }
            const QString w = deps.at(i++);
            if (w == start) {
                path.append(start);
                closed = true;
            } else if (members.contains(w) && !visited.contains(w)) {
                visited.insert(w);
                path.append(w);
                next.append(0);
            }
        }
        result.append(path);
    }
    std::sort(result.begin(), result.end());
    return result;
}

QStringList DependencyGraph::closure(const QStringList &services) const
{
    QStringList out;
    QSet<QString> seen;
    QStringList todo = services;
    while (!todo.isEmpty()) {
        const QString s = todo.takeLast();
        if (seen.contains(s) || !m_dependencies.contains(s))
            continue;
        seen.insert(s);
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
