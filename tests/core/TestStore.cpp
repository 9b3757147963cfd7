// SPDX-License-Identifier: Apache-2.0
// The coordinator's database on both engines: every case runs on SQLite and on a real PostgreSQL
// server (started by the test_postgres fixture; PORTOSER_TEST_PG_URL names it).
#include "core/access/AuditLog.h"
#include "core/access/OperatorTools.h"
#include "core/access/TokenStore.h"
#include "core/heal/HealStore.h"
#include "core/history/HistoryStore.h"
#include "core/metrics/Availability.h"
#include "core/metrics/MetricsStore.h"

#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

using namespace Portoser;
using namespace Qt::Literals::StringLiterals;

class TestStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void migrationsRunOnceAndRecordTheVersion_data() { engines(); }
    void migrationsRunOnceAndRecordTheVersion();
    void manyFirstOpensAtOnceAllSucceed();
    void historyRoundTrip_data() { engines(); }
    void historyRoundTrip();
    void healTablesUpsert_data() { engines(); }
    void healTablesUpsert();
    void tokensAndAudit_data() { engines(); }
    void tokensAndAudit();
    void operatorToolsAreStored_data() { engines(); }
    void operatorToolsAreStored();
    void oneCoordinatorLeadsTheHealer_data() { engines(); }
    void oneCoordinatorLeadsTheHealer();
    void badPostgresUrlIsExplained();
    void metricsAreKeptRolledUpAndPruned_data() { engines(); }
    void metricsAreKeptRolledUpAndPruned();
    void uptimeAndMttrFollowTheOutages();

private:
    void engines()
    {
        QTest::addColumn<QString>("engine");
        QTest::newRow("sqlite") << u"sqlite"_s;
        QTest::newRow("postgresql") << u"postgresql"_s;
    }
    /** A fresh, empty database of the row's engine. */
    std::unique_ptr<HistoryStore> openFresh()
    {
        QFETCH(QString, engine);
        QString location = m_dir->filePath(u"portoser.db"_s);
        if (engine == u"postgresql") {
            location = qEnvironmentVariable("PORTOSER_TEST_PG_URL");
            if (location.isEmpty())
                return nullptr;
            QSqlDatabase admin = QSqlDatabase::addDatabase(u"QPSQL"_s, u"reset"_s);
            const QUrl url(location);
            admin.setHostName(url.host());
            admin.setPort(url.port());
            admin.setUserName(url.userName());
            admin.setDatabaseName(url.path().mid(1));
            if (admin.open()) {
                QSqlQuery(admin).exec(u"DROP SCHEMA public CASCADE"_s);
                QSqlQuery(admin).exec(u"CREATE SCHEMA public"_s);
                admin.close();
            }
            admin = QSqlDatabase();
            QSqlDatabase::removeDatabase(u"reset"_s);
        }
        auto store = HistoryStore::open(location);
        if (!store)
            qWarning("%s", qPrintable(store.error().message));
        return store ? std::move(*store) : nullptr;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
};

// The PostgreSQL rows need the server ctest's test_postgres fixture starts (it sets
// PORTOSER_TEST_PG_URL); by hand: tests/db/portoser-test-postgres up, then export the URL.
#define OPEN_FRESH(store)                                                                          \
    auto store = openFresh();                                                                      \
    QVERIFY2(store, "cannot open the database (PostgreSQL rows: is PORTOSER_TEST_PG_URL set?)")

void TestStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
}

void TestStore::migrationsRunOnceAndRecordTheVersion()
{
    OPEN_FRESH(store);
    QFETCH(QString, engine);
    const QString location = engine == u"sqlite" ? m_dir->filePath(u"portoser.db"_s)
                                                 : qEnvironmentVariable("PORTOSER_TEST_PG_URL");
    DeploymentRecord r;
    r.service = u"web"_s;
    QVERIFY(store->begin(r));
    // Opening again (another process, a second coordinator) migrates nothing and keeps the data.
    auto again = HistoryStore::open(location);
    QVERIFY2(again, again ? "" : qPrintable(again.error().message));
    auto list = (*again)->list({});
    QVERIFY(list);
    QCOMPARE(list->size(), 1);
    QCOMPARE((*again)->isPostgres(), engine == u"postgresql");
    QVERIFY(!(*again)->path().contains(u":secret@"_s));
}

// The window's threads (or two CLI processes) opening a database nobody has made yet: one
// migrates, the others wait for it; none fails with "table deployments already exists".
void TestStore::manyFirstOpensAtOnceAllSucceed()
{
    for (int round = 0; round < 5; ++round) {
        const QString location = m_dir->filePath(u"race-%1.db"_s.arg(round));
        std::atomic<int> ready{0};
        QStringList errors(6);
        std::vector<std::thread> threads;
        for (int i = 0; i < 6; ++i)
            threads.emplace_back([&, i] {
                ++ready;
                while (ready.load() < 6) // all start together
                    std::this_thread::yield();
                auto store = HistoryStore::open(location);
                if (!store)
                    errors[i] = store.error().message;
            });
        for (std::thread &t : threads)
            t.join();
        errors.removeAll(QString());
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u"; "_s)));
    }
}

void TestStore::historyRoundTrip()
{
    OPEN_FRESH(store);
    QList<qint64> ids;
    for (int i = 0; i < 3; ++i) {
        DeploymentRecord r;
        r.service = i == 2 ? u"db"_s : u"web"_s;
        r.host = i == 0 ? u"h1"_s : u"h2"_s;
        r.action = RecordAction::Deploy;
        r.actor = u"cli:test"_s;
        r.config = QJsonObject{{u"port"_s, 8000 + i}};
        QVERIFY(store->begin(r));
        QVERIFY(r.id > 0);
        ids.append(r.id);
        r.outcome = i == 1 ? Outcome::Failed : Outcome::Succeeded;
        r.releaseId = u"rel%1"_s.arg(i);
        r.steps = {{u"start"_s, 12, true, u"pid 4"_s}};
        r.endedAt = r.startedAt.addMSecs(250);
        QVERIFY(store->finish(r));
    }
    QVERIFY(ids.at(0) < ids.at(1) && ids.at(1) < ids.at(2));
    auto web = store->list(HistoryQuery::newest(u"web"_s, 50));
    QVERIFY(web);
    QCOMPARE(web->size(), 2);
    QCOMPARE(web->first().id, ids.at(1)); // newest first
    HistoryQuery second = HistoryQuery::newest({}, 1);
    second.offset = 1;
    auto page = store->list(second);
    QCOMPARE(page->size(), 1);
    QCOMPARE(page->first().id, ids.at(1));
    // The history page's filters: by host, by outcome, and both with a service.
    HistoryQuery onH2 = HistoryQuery::newest({}, 50);
    onH2.host = u"h2"_s;
    QCOMPARE(store->list(onH2)->size(), 2);
    HistoryQuery failed = HistoryQuery::newest({}, 50);
    failed.outcome = toString(Outcome::Failed);
    QCOMPARE(store->list(failed)->size(), 1);
    QCOMPARE(store->list(failed)->first().id, ids.at(1));
    HistoryQuery webOkOnH2 = HistoryQuery::newest(u"web"_s, 50);
    webOkOnH2.host = u"h2"_s;
    webOkOnH2.outcome = toString(Outcome::Succeeded);
    QVERIFY(store->list(webOkOnH2)->isEmpty()); // web on h2 failed
    auto one = store->get(ids.at(0));
    QVERIFY(one);
    QCOMPARE(one->config.value(u"port"_s).toInt(), 8000);
    QCOMPARE(one->steps.first().output, u"pid 4"_s);
    QCOMPARE(one->durationMs(), 250);
    auto good = store->lastSucceeded(u"web"_s);
    QVERIFY(good && *good);
    QCOMPARE((*good)->releaseId, u"rel0"_s);
    QCOMPARE(store->get(999999).error().code, ErrorCode::NotFound);

    QVERIFY(store->recordHostArch(u"h1"_s, u"amd64-linux"_s));
    QVERIFY(store->recordHostArch(u"h1"_s, u"arm64-linux"_s));
    QCOMPARE(store->hostArch(u"h1"_s), u"arm64-linux"_s);
}

void TestStore::healTablesUpsert()
{
    OPEN_FRESH(store);
    HealStore heal(*store);
    HealState s;
    s.service = u"web"_s;
    s.downSince = 1764400000123; // epoch ms: needs 64 bits
    s.restarts = {1764400000, 1764400060};
    QVERIFY(heal.saveState(s));
    s.givenUpAt = 1764400120;
    s.givenUpReason = u"3 restarts in 5m"_s;
    QVERIFY(heal.saveState(s));
    auto loaded = heal.state(u"web"_s);
    QVERIFY(loaded);
    QCOMPARE(loaded->downSince, s.downSince);
    QCOMPARE(loaded->restarts, s.restarts);
    QCOMPARE(loaded->givenUpReason, s.givenUpReason);
    // An operator acted: everything back to empty (what the healer saves when it forgives).
    s.givenUpAt = 0;
    s.givenUpReason.clear();
    s.restarts.clear();
    s.downSince = 0;
    QVERIFY(heal.saveState(s));
    QCOMPARE(heal.state(u"web"_s)->givenUpAt, 0);
    QVERIFY(heal.state(u"web"_s)->restarts.isEmpty());

    QVERIFY(heal.countOccurrence(u"process_dead"_s));
    QVERIFY(heal.countOccurrence(u"process_dead"_s));
    QVERIFY(heal.countOutcome(u"process_dead"_s, u"restart"_s, true, 900));
    QVERIFY(heal.countOutcome(u"process_dead"_s, u"restart"_s, false, 0));
    auto rows = heal.knowledge();
    QVERIFY(rows);
    QCOMPARE(rows->size(), 2);
    QCOMPARE(rows->at(0).occurrences, 2);
    QCOMPARE(rows->at(1).worked, 1);
    QCOMPARE(rows->at(1).failed, 1);

    HealEvent first{0, {}, u"web"_s, u"h1"_s, HealEvent::Kind::Down, u"process_dead"_s, {}, {}, 0};
    HealEvent second = first;
    QVERIFY(heal.addEvent(first));
    QVERIFY(heal.addEvent(second));
    QVERIFY(first.id > 0 && second.id > first.id);

    const QList<PlaybookStep> steps{PlaybookStep{u"restart"_s, {}, false, {}}};
    QVERIFY(heal.learn(u"process_dead"_s, u"web"_s, steps));
    auto learned = heal.learn(u"process_dead"_s, u"web"_s, steps);
    QVERIFY(learned);
    QCOMPARE(learned->frequency, 2);
}

void TestStore::tokensAndAudit()
{
    OPEN_FRESH(store);
    TokenStore tokens(store->connectionName());
    auto made = tokens.create(u"ci"_s, Role::Operator);
    QVERIFY(made);
    QVERIFY(made->token.id > 0);
    QCOMPARE(tokens.create(u"ci"_s, Role::Viewer).error().code, ErrorCode::Conflict);
    QCOMPARE(tokens.create(u"bad name"_s, Role::Viewer).error().code, ErrorCode::InvalidInput);
    auto active = tokens.activeByHash();
    QVERIFY(active);
    QCOMPARE(active->value(TokenStore::hashOf(made->secret.toLatin1())).name, u"ci"_s);
    QVERIFY(tokens.revoke(u"ci"_s));
    QVERIFY(tokens.activeByHash()->isEmpty());
    QCOMPARE(tokens.revoke(u"nobody"_s).error().code, ErrorCode::NotFound);

    AuditLog audit(store->connectionName());
    for (const QString &actor : {u"token:ci"_s, u"oidc:alice"_s}) {
        AuditEntry e;
        e.at = QDateTime::currentDateTimeUtc();
        e.actor = actor;
        e.role = u"operator"_s;
        e.peer = u"127.0.0.1"_s;
        e.action = u"POST /api/v1/deploy"_s;
        e.arguments = {{u"services"_s, QJsonArray{u"web"_s}}, {u"password"_s, u"hunter2"_s}};
        e.status = 202;
        e.outcome = u"ok"_s;
        e.durationMs = 3;
        QVERIFY(audit.append(e));
    }
    auto all = audit.list(10);
    QVERIFY(all);
    QCOMPARE(all->size(), 2);
    QCOMPARE(all->first().actor, u"oidc:alice"_s); // newest first
    QCOMPARE(all->first().arguments.value(u"password"_s).toString(), u"[redacted]"_s);
    auto alice = audit.list(10, 0, u"token:ci"_s);
    QCOMPARE(alice->size(), 1);
}

void TestStore::operatorToolsAreStored()
{
    OPEN_FRESH(store);
    OperatorToolStore tools(store->connectionName());
    OperatorTool t;
    t.name = u"disk_usage"_s;
    t.description = u"du of a path"_s;
    t.host = u"h1"_s;
    t.command = u"du -sh {path}"_s;
    t.inputSchema = {{u"type"_s, u"object"_s}};
    t.createdBy = u"token:admin"_s;
    QVERIFY(tools.save(t));
    t.command = u"du -s {path}"_s;
    t.role = Role::Admin;
    QVERIFY(tools.save(t)); // replaces
    auto all = tools.list();
    QVERIFY(all);
    QCOMPARE(all->size(), 1);
    auto one = tools.get(u"disk_usage"_s);
    QVERIFY(one);
    QCOMPARE(one->command, u"du -s {path}"_s);
    QVERIFY(one->role == Role::Admin);
    QCOMPARE(one->inputSchema.value(u"type"_s).toString(), u"object"_s);
    QVERIFY(tools.remove(u"disk_usage"_s));
    QCOMPARE(tools.remove(u"disk_usage"_s).error().code, ErrorCode::NotFound);
    QCOMPARE(tools.get(u"disk_usage"_s).error().code, ErrorCode::NotFound);
}

void TestStore::oneCoordinatorLeadsTheHealer()
{
    OPEN_FRESH(first);
    QFETCH(QString, engine);
    const QString location = engine == u"sqlite" ? m_dir->filePath(u"portoser.db"_s)
                                                 : qEnvironmentVariable("PORTOSER_TEST_PG_URL");
    auto second = HistoryStore::open(location);
    QVERIFY(second);
    QVERIFY(first->tryLead(u"healer"_s));
    QVERIFY(first->tryLead(u"healer"_s)); // still ours
    QVERIFY(!(*second)->tryLead(u"healer"_s));
    QVERIFY((*second)->tryLead(u"other-role"_s));
    first.reset(); // the leader goes away (its connection closes, its lock file is freed)
    // PostgreSQL frees the lock when its backend has seen the connection close: a moment later.
    QTRY_VERIFY_WITH_TIMEOUT((*second)->tryLead(u"healer"_s), 5000);
}

void TestStore::badPostgresUrlIsExplained()
{
    auto store = HistoryStore::open(u"postgresql://portoser:secret@127.0.0.1:1/nodb"_s);
    QVERIFY(!store);
    QVERIFY2(store.error().message.contains(u"postgresql://portoser@127.0.0.1:1/nodb"_s),
             qPrintable(store.error().message));
    QVERIFY(!store.error().message.contains(u"secret"_s)); // the password never shows
    QVERIFY(!HistoryStore::open(u"postgresql://host"_s));
}

void TestStore::metricsAreKeptRolledUpAndPruned()
{
    OPEN_FRESH(store);
    MetricsStore metrics(store->connectionName());
    // Two days of observations a minute apart: h1 with a load that climbs, its service up but
    // for ten minutes.
    const qint64 now = 1'800'000'000; // a bucket boundary: 1.8e9 is a multiple of 300
    const qint64 start = now - 2 * 86400;
    for (qint64 at = start; at < now; at += 60) {
        HostState h;
        h.host = u"h1"_s;
        h.reachable = true;
        h.roundTripMs = 40;
        h.load1 = double((at - start) / 3600);
        h.memTotalKb = 1000;
        h.memAvailKb = 250;
        h.diskUsedPct = 42;
        ServiceState s;
        s.service = u"web"_s;
        s.state = u"running"_s;
        s.health = at >= now - 3600 && at < now - 3000 ? u"unhealthy"_s : u"healthy"_s;
        s.starts = 3;
        h.services.append(s);
        QVERIFY(metrics.record({h}, at));
    }
    auto lastHour = metrics.read(MetricSubject::Host, u"h1"_s, now - 3600);
    QVERIFY2(lastHour, lastHour ? "" : qPrintable(lastHour.error().message));
    QStringList names;
    for (const MetricSeries &series : *lastHour)
        names.append(series.name);
    QCOMPARE(names, QStringList({u"disk_used_pct"_s, u"load1"_s, u"mem_used_pct"_s, u"reachable"_s,
                                 u"ssh_ms"_s}));
    const MetricSeries &load = lastHour->at(1);
    QCOMPARE(load.points.size(), 60);
    QCOMPARE(load.points.last().value, 47.0);
    QCOMPARE(lastHour->at(2).points.first().value, 75.0); // 750 of 1000 kB used
    auto web = metrics.read(MetricSubject::Service, u"web"_s, now - 3600);
    QVERIFY(web && web->size() == 2 && web->first().name == u"starts"_s);
    double up = 0;
    for (const MetricPoint &p : web->at(1).points)
        up += p.value;
    QCOMPARE(up, 50.0); // 60 samples, 10 of them down

    // Past 24 h the samples become 5-minute aggregates; the newest 24 h stay raw.
    auto rolled = metrics.prune(now, {});
    QVERIFY2(rolled, rolled ? "" : qPrintable(rolled.error().message));
    QCOMPARE(*rolled, 7 * 24 * 60); // a day of 7 series (5 of h1, 2 of web) a minute apart
    auto all = metrics.read(MetricSubject::Host, u"h1"_s, start);
    QVERIFY(all);
    const MetricSeries &loads = all->at(1);
    QCOMPARE(loads.points.size(), 24 * 12 + 24 * 60);
    const MetricPoint &first = loads.points.first();
    QCOMPARE(first.at, start);
    QCOMPARE(first.count, 5);
    QCOMPARE(first.value, 0.0);
    const MetricPoint &hour = loads.points.at(12); // the second hour's first bucket
    QCOMPARE(hour.value, 1.0);
    QCOMPARE(hour.min, 1.0);
    QCOMPARE(hour.max, 1.0);
    // Pruning again changes nothing; 31 days later only the raw day is gone too.
    QCOMPARE(*metrics.prune(now, {}), 0);
    QVERIFY(metrics.prune(now + 31 * 86400, {}));
    auto gone = metrics.read(MetricSubject::Host, u"h1"_s, start);
    QVERIFY(gone && gone->isEmpty());
    QCOMPARE(*metrics.subjects(MetricSubject::Host), QStringList());
}

void TestStore::uptimeAndMttrFollowTheOutages()
{
    // A scripted history: down 10 minutes two days ago, down 2 minutes an hour ago, and down
    // since 30 s ago.
    const qint64 now = 1'800'000'000;
    const auto event = [](HealEvent::Kind kind, qint64 at) {
        HealEvent e;
        e.kind = kind;
        e.service = u"web"_s;
        e.at = QDateTime::fromSecsSinceEpoch(at, QTimeZone::utc());
        return e;
    };
    using K = HealEvent::Kind;
    const QList<HealEvent> newestFirst = {
        event(K::Down, now - 30),           event(K::Recovered, now - 3480),
        event(K::Action, now - 3540),       event(K::Down, now - 3600),
        event(K::Recovered, now - 172'200), event(K::Down, now - 172'800),
    };
    const Availability a = Availability::from(newestFirst, now);
    QVERIFY(a.downNow);
    QCOMPARE(a.outages30d, 3);
    QCOMPARE(a.mttrSeconds, (600 + 120) / 2); // the ended outages
    QCOMPARE(a.uptimePct24h, std::round(100000.0 * (86400 - 150) / 86400) / 1000);
    QCOMPARE(a.uptimePct7d, std::round(100000.0 * (7 * 86400 - 750) / (7 * 86400)) / 1000);
    const Availability none = Availability::from({}, now);
    QCOMPARE(none.uptimePct30d, 100.0);
    QCOMPARE(none.mttrSeconds, -1);
}

QTEST_GUILESS_MAIN(TestStore)
#include "TestStore.moc"
