// SPDX-License-Identifier: Apache-2.0
#include "app/cli/DependenciesCommand.h"

#include "core/registry/DependencyGraph.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {
const QCommandLineOption DotOption(u"dot"_s, u"graph: print Graphviz DOT."_s);
}

CommandSpec DependenciesCommand::spec() const
{
    return {u"dependencies"_s,
            u"order [SERVICE...] | graph [--dot] | impact SERVICE"_s,
            u"Show deploy order, the dependency graph, or what depends on a service."_s,
            u"order    deploy waves: each wave needs only the waves before it (with SERVICEs: "
            "just them and what they need)\n"
            "graph    each service and what it depends on\n"
            "impact   every service that depends on SERVICE, directly or through others"_s,
            {DotOption}};
}

int DependenciesCommand::run(CliContext &context, const QCommandLineParser &args)
{
    QStringList words = args.positionalArguments();
    if (words.isEmpty())
        return context.usageError(u"say which view: order, graph or impact SERVICE"_s);
    const QString view = words.takeFirst();
    if (view == u"graph"_s && !words.isEmpty())
        return context.usageError(u"graph takes no arguments"_s);
    if (view == u"impact"_s && words.size() != 1)
        return context.usageError(u"impact needs exactly one SERVICE"_s);
    if (view != u"order"_s && view != u"graph"_s && view != u"impact"_s)
        return context.usageError(u"unknown view \"%1\"; use order, graph or impact"_s.arg(view));

    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    for (const QString &name : std::as_const(words)) {
        if (!registry->services.contains(name)) {
            context.printError(registry->unknownService(name));
            return Failed;
        }
    }
    if (view == u"order"_s)
        return order(context, *registry, words);
    if (view == u"graph"_s)
        return graph(context, *registry, args.isSet(DotOption));
    return impact(context, *registry, words.first());
}

int DependenciesCommand::order(CliContext &context, const Registry &registry,
                               const QStringList &services)
{
    // A valid registry has no cycles, so waves always exist here.
    const QList<QStringList> waves = DependencyGraph(registry).waves(services);
    if (context.json()) {
        QJsonArray wavesJson;
        QStringList flat;
        for (const QStringList &wave : waves) {
            wavesJson.append(QJsonArray::fromStringList(wave));
            flat += wave;
        }
        context.printJson(
            QJsonObject{{u"waves"_s, wavesJson}, {u"order"_s, QJsonArray::fromStringList(flat)}});
        return Ok;
    }
    for (qsizetype i = 0; i < waves.size(); ++i)
        context.out() << "wave " << (i + 1) << ": " << waves.at(i).join(u", "_s) << '\n';
    return Ok;
}

int DependenciesCommand::graph(CliContext &context, const Registry &registry, bool dot)
{
    const DependencyGraph g(registry);
    if (context.json()) {
        QJsonArray nodes;
        QJsonArray edges;
        for (const Service &s : registry.services) {
            nodes.append(QJsonObject{{u"service"_s, s.name}, {u"host"_s, s.currentHost}});
            for (const QString &dep : g.dependenciesOf(s.name))
                edges.append(QJsonObject{{u"from"_s, s.name}, {u"to"_s, dep}});
        }
        context.printJson(QJsonObject{{u"nodes"_s, nodes}, {u"edges"_s, edges}});
        return Ok;
    }
    QTextStream &out = context.out();
    if (dot) {
        out << "digraph dependencies {\n  rankdir=LR;\n";
        for (const Service &s : registry.services) {
            out << "  \"" << s.name << "\";\n";
            for (const QString &dep : g.dependenciesOf(s.name))
                out << "  \"" << s.name << "\" -> \"" << dep << "\";\n";
        }
        out << "}\n";
        return Ok;
    }
    for (const Service &s : registry.services) {
        const QStringList deps = g.dependenciesOf(s.name);
        out << s.name << " -> " << (deps.isEmpty() ? u"(nothing)"_s : deps.join(u", "_s)) << '\n';
    }
    return Ok;
}

int DependenciesCommand::impact(CliContext &context, const Registry &registry,
                                const QString &service)
{
    const QMap<QString, int> affected = DependencyGraph(registry).impactOf(service);
    if (context.json()) {
        QJsonArray list;
        for (auto it = affected.cbegin(); it != affected.cend(); ++it)
            list.append(QJsonObject{{u"service"_s, it.key()}, {u"distance"_s, it.value()}});
        context.printJson(QJsonObject{{u"service"_s, service}, {u"impacted"_s, list}});
        return Ok;
    }
    QTextStream &out = context.out();
    if (affected.isEmpty()) {
        out << "Nothing depends on " << service << ".\n";
        return Ok;
    }
    out << "Stopping or moving " << service << " affects " << affected.size()
        << (affected.size() == 1 ? " service" : " services") << ":\n";
    for (auto it = affected.cbegin(); it != affected.cend(); ++it)
        out << "  " << it.key()
            << (it.value() == 1 ? u" (direct)"_s : u" (through %1 hops)"_s.arg(it.value())) << '\n';
    return Ok;
}

} // namespace Portoser::Cli
