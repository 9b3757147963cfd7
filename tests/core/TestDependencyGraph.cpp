// SPDX-License-Identifier: Apache-2.0
#include "core/registry/DependencyGraph.h"

#include <QTest>

using namespace Portoser;
using namespace Qt::Literals::StringLiterals;

class TestDependencyGraph : public QObject
{
    Q_OBJECT

private slots:
    void wavesRespectDependencies();
    void wavesForASubsetIncludeWhatItNeeds();
    void impactFollowsDependentsTransitively();
    void cyclesAreFoundWithTheirPath();
    void unknownDependenciesAreIgnored();
};

namespace {

/** web -> api -> db, worker -> api, worker -> cache; report -> worker */
Registry cluster(const QList<QPair<QString, QStringList>> &services)
{
    Registry r;
    for (const auto &[name, deps] : services) {
        Service s;
        s.name = name;
        s.dependencies = deps;
        r.services.insert(name, s);
    }
    return r;
}

Registry sample()
{
    return cluster({{u"web"_s, {u"api"_s}},
                    {u"api"_s, {u"db"_s}},
                    {u"db"_s, {}},
                    {u"cache"_s, {}},
                    {u"worker"_s, {u"api"_s, u"cache"_s}},
                    {u"report"_s, {u"worker"_s}}});
}

} // namespace

void TestDependencyGraph::wavesRespectDependencies()
{
    const auto waves = DependencyGraph(sample()).waves();
    const QList<QStringList> expected = {
        {u"cache"_s, u"db"_s}, {u"api"_s}, {u"web"_s, u"worker"_s}, {u"report"_s}};
    QCOMPARE(waves, expected);
}

void TestDependencyGraph::wavesForASubsetIncludeWhatItNeeds()
{
    const auto waves = DependencyGraph(sample()).waves({u"web"_s});
    const QList<QStringList> expected = {{u"db"_s}, {u"api"_s}, {u"web"_s}};
    QCOMPARE(waves, expected);
}

void TestDependencyGraph::impactFollowsDependentsTransitively()
{
    const QMap<QString, int> impact = DependencyGraph(sample()).impactOf(u"db"_s);
    const QMap<QString, int> expected = {
        {u"api"_s, 1}, {u"web"_s, 2}, {u"worker"_s, 2}, {u"report"_s, 3}};
    QCOMPARE(impact, expected);
    QVERIFY(DependencyGraph(sample()).impactOf(u"report"_s).isEmpty());
}

void TestDependencyGraph::cyclesAreFoundWithTheirPath()
{
    const Registry r = cluster({{u"a"_s, {u"b"_s}},
                                {u"b"_s, {u"c"_s}},
                                {u"c"_s, {u"a"_s}},
                                {u"d"_s, {u"d"_s}},
                                {u"e"_s, {u"a"_s}}});
    const DependencyGraph g(r);
    const QList<QStringList> expected = {{u"a"_s, u"b"_s, u"c"_s, u"a"_s}, {u"d"_s, u"d"_s}};
    QCOMPARE(g.cycles(), expected);
    QVERIFY(g.waves().isEmpty());
    QVERIFY(DependencyGraph(sample()).cycles().isEmpty());
}

void TestDependencyGraph::unknownDependenciesAreIgnored()
{
    const DependencyGraph g(cluster({{u"a"_s, {u"ghost"_s}}}));
    QVERIFY(g.dependenciesOf(u"a"_s).isEmpty());
    QCOMPARE(g.waves(), QList<QStringList>{{u"a"_s}});
}

QTEST_GUILESS_MAIN(TestDependencyGraph)
#include "TestDependencyGraph.moc"
