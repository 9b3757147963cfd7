// SPDX-License-Identifier: Apache-2.0
// The `--cli` commands run in-process, as scripts see them: output, JSON and exit codes.
#include "app/cli/CliApp.h"
#include "core/Orchestrator.h"
#include "tests/support/TempRegistry.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Portoser;
using namespace Portoser::Test;
using namespace Qt::Literals::StringLiterals;

class TestCliCommands : public QObject
{
    Q_OBJECT

private slots:
    void exitCodes_data();
    void exitCodes();
    void validateReportsEveryErrorWithLocation();
    void validateJson();
    void validateStrictFailsOnWarnings();
    void listServicesJson();
    void listServicesFilteredByHost();
    void listHostsText();
    void showService();
    void dependenciesOrderJson();
    void dependenciesImpactText();
    void dependenciesGraphDot();
    void readCommandOnBrokenRegistryFails();
    void registryFromEnvironment();
    void helpForEveryCommand();
    void metricsReadsWhatTheWatchdogKept();

private:
    struct Run
    {
        int code = -1;
        QString out;
        QString err;
        QJsonValue json() const
        {
            const QJsonDocument doc = QJsonDocument::fromJson(out.toUtf8());
            return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
        }
    };
    static Run cli(const QStringList &args);
    static QString demo() { return source(u"examples/demo/registry.yml"_s); }
    static QString source(const QString &relative)
    {
        return qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u'/' + relative;
    }
};

TestCliCommands::Run TestCliCommands::cli(const QStringList &args)
{
    Run run;
    QTextStream out(&run.out);
    QTextStream err(&run.err);
    Orchestrator orchestrator;
    run.code = Cli::CliApp(orchestrator, out, err).run(args);
    out.flush();
    err.flush();
    return run;
}

void TestCliCommands::exitCodes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    const QString d = demo();
    QTest::addRow("validate demo") << QStringList{u"--registry"_s, d, u"validate"_s} << 0;
    QTest::addRow("registry option after command")
        << QStringList{u"validate"_s, u"--registry"_s, d} << 0;
    QTest::addRow("no command") << QStringList{} << 2;
    QTest::addRow("unknown command") << QStringList{u"deploi"_s} << 2;
    QTest::addRow("unknown option") << QStringList{u"validate"_s, u"--frobnicate"_s} << 2;
    QTest::addRow("registry without action") << QStringList{u"registry"_s, u"--registry"_s, d} << 2;
    QTest::addRow("registry bad action") << QStringList{u"registry"_s, u"list-everything"_s} << 2;
    QTest::addRow("show without name") << QStringList{u"registry"_s, u"show"_s} << 2;
    QTest::addRow("show unknown name")
        << QStringList{u"--registry"_s, d, u"registry"_s, u"show"_s, u"nope"_s} << 1;
    QTest::addRow("impact without service") << QStringList{u"dependencies"_s, u"impact"_s} << 2;
    QTest::addRow("impact unknown service")
        << QStringList{u"--registry"_s, d, u"dependencies"_s, u"impact"_s, u"nope"_s} << 1;
    QTest::addRow("missing registry file")
        << QStringList{u"--registry"_s, u"/nonexistent.yml"_s, u"validate"_s} << 1;
    QTest::addRow("deploy an injected name")
        << QStringList{u"--registry"_s, d, u"deploy"_s, u"x; rm -rf /"_s} << 2;
    QTest::addRow("deploy a traversal")
        << QStringList{u"--registry"_s, d, u"deploy"_s, u"../../etc"_s} << 2;
    QTest::addRow("restart without service") << QStringList{u"--registry"_s, d, u"restart"_s} << 2;
    QTest::addRow("stop without service") << QStringList{u"--registry"_s, d, u"stop"_s} << 2;
    QTest::addRow("logs of an injected name")
        << QStringList{u"--registry"_s, d, u"logs"_s, u"$(reboot)"_s} << 2;
    QTest::addRow("rollback of a non-number")
        << QStringList{u"--registry"_s, d, u"history"_s, u"rollback"_s, u"1;2"_s} << 2;
    QTest::addRow("version") << QStringList{u"--version"_s} << 0;
    QTest::addRow("help") << QStringList{u"--help"_s} << 0;
}

void TestCliCommands::exitCodes()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    const Run run = cli(args);
    QVERIFY2(run.code == code, qPrintable(u"exit %1, stdout:\n%2\nstderr:\n%3"_s.arg(run.code).arg(
                                   run.out, run.err)));
    if (code == 2)
        QVERIFY2(run.err.contains(u"--help"_s), qPrintable(run.err)); // says how to get usage
}

void TestCliCommands::validateReportsEveryErrorWithLocation()
{
    const QString broken = source(u"tests/data/broken/registry.yml"_s);
    const Run run = cli({u"--registry"_s, broken, u"validate"_s});
    QCOMPARE(run.code, 1);
    const QStringList lines = run.err.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 20); // 18 errors, 1 warning, 1 summary
    for (qsizetype i = 0; i + 1 < lines.size(); ++i)
        QVERIFY2(QRegularExpression(uR"(^\S+\.yml:\d+:\d+: (error|warning): )"_s)
                     .match(lines.at(i))
                     .hasMatch(),
                 qPrintable(lines.at(i)));
    QVERIFY(lines.last().endsWith(u"invalid: 18 errors, 1 warning"_s));
    QVERIFY(run.err.contains(broken + u":40:18: error: service \"web\": working_dir"_s));
}

void TestCliCommands::validateJson()
{
    const Run run = cli(
        {u"--registry"_s, source(u"tests/data/broken/registry.yml"_s), u"validate"_s, u"--json"_s});
    QCOMPARE(run.code, 1);
    const QJsonObject o = run.json().toObject();
    QCOMPARE(o.value(u"valid"_s).toBool(true), false);
    QCOMPARE(o.value(u"errors"_s).toInt(), 18);
    const QJsonArray issues = o.value(u"issues"_s).toArray();
    QCOMPARE(issues.size(), 19);
    const QJsonObject first = issues.first().toObject();
    QVERIFY(first.value(u"line"_s).toInt() > 0);
    QVERIFY(first.value(u"column"_s).toInt() > 0);
    QVERIFY(!first.value(u"file"_s).toString().isEmpty());
    QVERIFY(!first.value(u"message"_s).toString().isEmpty());

    const Run ok = cli({u"--registry"_s, demo(), u"validate"_s, u"--json"_s});
    QCOMPARE(ok.code, 0);
    QCOMPARE(ok.json().toObject().value(u"valid"_s).toBool(), true);
    QCOMPARE(ok.json().toObject().value(u"services"_s).toInt(), 3);
}

void TestCliCommands::validateStrictFailsOnWarnings()
{
    TempRegistry temp;
    temp.writeRegistry(
        "hosts:\n  h1:\n    ip: 10.0.0.1\n    path: /srv\n    colour: red\nservices: {}\n");
    QCOMPARE(cli({u"--registry"_s, temp.path(), u"validate"_s}).code, 0);
    const Run strict = cli({u"--registry"_s, temp.path(), u"validate"_s, u"--strict"_s});
    QCOMPARE(strict.code, 1);
    QVERIFY(strict.err.contains(u":5:5: warning: host \"h1\": unknown key \"colour\""_s));
}

void TestCliCommands::listServicesJson()
{
    const Run run = cli({u"--registry"_s, demo(), u"registry"_s, u"list-services"_s, u"--json"_s});
    QCOMPARE(run.code, 0);
    const QJsonArray services = run.json().toArray();
    QCOMPARE(services.size(), 3);
    const QJsonObject worker = services.at(2).toObject();
    QCOMPARE(worker.value(u"name"_s).toString(), u"worker"_s);
    QCOMPARE(worker.value(u"current_host"_s).toString(), u"beta"_s);
    QCOMPARE(worker.value(u"dependencies"_s).toArray(), QJsonArray{u"api"_s});
}

void TestCliCommands::listServicesFilteredByHost()
{
    const Run run =
        cli({u"--registry"_s, demo(), u"registry"_s, u"list-services"_s, u"--host"_s, u"beta"_s});
    QCOMPARE(run.code, 0);
    const QStringList lines = run.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3); // header, api, worker
    QVERIFY(lines.at(1).startsWith(u"api "_s));
    QVERIFY(lines.at(2).startsWith(u"worker "_s));
    QCOMPARE(
        cli({u"--registry"_s, demo(), u"registry"_s, u"list-services"_s, u"--host"_s, u"zeta"_s})
            .code,
        1);
}

void TestCliCommands::listHostsText()
{
    const Run run = cli({u"--registry"_s, source(u"tests/data/upstream/registry.yml"_s),
                         u"registry"_s, u"list-hosts"_s});
    QCOMPARE(run.code, 0);
    QVERIFY(run.out.startsWith(u"HOST"_s));
    QVERIFY2(run.out.contains(QRegularExpression(
                 uR"(\npi1\s+192\.0\.2\.31:2222\s+pi\s+arm64-linux\s+ssh\s+3\n)"_s)),
             qPrintable(run.out));
}

void TestCliCommands::showService()
{
    const Run run = cli({u"--registry"_s, demo(), u"registry"_s, u"show"_s, u"api"_s, u"--json"_s});
    QCOMPARE(run.code, 0);
    const QJsonObject api = run.json().toObject().value(u"service"_s).toObject();
    QCOMPARE(api.value(u"port"_s).toInt(), 18602);
    QCOMPARE(api.value(u"health"_s).toObject().value(u"path"_s).toString(), u"/health"_s);
    QCOMPARE(api.value(u"location"_s).toObject().value(u"line"_s).toInt(), 35);

    const Run text = cli({u"--registry"_s, demo(), u"registry"_s, u"show"_s, u"beta"_s});
    QCOMPARE(text.code, 0);
    QVERIFY2(text.out.startsWith(u"host beta"_s), qPrintable(text.out));
    QVERIFY(text.out.contains(u"transport: local"_s));
}

void TestCliCommands::dependenciesOrderJson()
{
    const Run run = cli({u"--registry"_s, demo(), u"dependencies"_s, u"order"_s, u"--json"_s});
    QCOMPARE(run.code, 0);
    const QJsonObject o = run.json().toObject();
    QCOMPARE(o.value(u"order"_s).toArray(), (QJsonArray{u"api"_s, u"site"_s, u"worker"_s}));
    QCOMPARE(o.value(u"waves"_s).toArray().size(), 2);

    const Run subset = cli({u"--registry"_s, demo(), u"dependencies"_s, u"order"_s, u"worker"_s});
    QCOMPARE(subset.out, u"wave 1: api\nwave 2: worker\n"_s);
}

void TestCliCommands::dependenciesImpactText()
{
    const Run run = cli({u"--registry"_s, source(u"tests/data/upstream/registry.yml"_s),
                         u"dependencies"_s, u"impact"_s, u"postgres-prod"_s});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.startsWith(u"Stopping or moving postgres-prod affects 3 services:"_s),
             qPrintable(run.out));
    QVERIFY(run.out.contains(u"  backend (direct)\n"_s));
    QVERIFY(run.out.contains(u"  frontend (through 2 hops)\n"_s));
    QVERIFY(run.out.contains(u"  pgbouncer-prod (direct)\n"_s));
}

void TestCliCommands::dependenciesGraphDot()
{
    const Run run = cli({u"--registry"_s, demo(), u"dependencies"_s, u"graph"_s, u"--dot"_s});
    QCOMPARE(run.code, 0);
    QVERIFY(run.out.startsWith(u"digraph dependencies {"_s));
    QVERIFY(run.out.contains(u"\"worker\" -> \"api\";"_s));
}

void TestCliCommands::readCommandOnBrokenRegistryFails()
{
    const Run run = cli({u"--registry"_s, source(u"tests/data/broken/registry.yml"_s),
                         u"registry"_s, u"list-services"_s, u"--json"_s});
    QCOMPARE(run.code, 1);
    const QJsonObject error = run.json().toObject().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"code"_s).toString(), u"invalid_registry"_s);
    QCOMPARE(error.value(u"issues"_s).toArray().size(), 18);
}

void TestCliCommands::registryFromEnvironment()
{
    qputenv("PORTOSER_REGISTRY", demo().toUtf8());
    const Run run = cli({u"validate"_s});
    qunsetenv("PORTOSER_REGISTRY");
    QCOMPARE(run.code, 0);
    QVERIFY(run.out.contains(demo() + u": valid"_s));
}

void TestCliCommands::helpForEveryCommand()
{
    for (const QString &command : {u"validate"_s, u"registry"_s, u"dependencies"_s, u"deploy"_s,
                                   u"status"_s, u"history"_s, u"stop"_s, u"restart"_s}) {
        const Run run = cli({command, u"--help"_s});
        QCOMPARE(run.code, 0);
        QVERIFY2(run.out.startsWith(u"Usage: portoser --cli "_s + command), qPrintable(run.out));
        QVERIFY(run.out.contains(u"--json"_s));
        QVERIFY(run.out.contains(u"--registry PATH"_s));
        // The commands that go through a coordinator say how not to.
        const bool throughCoordinator =
            QStringList{u"deploy"_s, u"history"_s, u"stop"_s, u"restart"_s}.contains(command);
        QCOMPARE(run.out.contains(u"--local"_s), throughCoordinator);
    }
}

void TestCliCommands::metricsReadsWhatTheWatchdogKept()
{
    QTemporaryDir dir;
    qputenv("PORTOSER_DB", dir.filePath(u"p.db"_s).toUtf8());
    // What a watchdog pass would keep: the demo's host alpha and its service, a minute ago.
    HostState alpha;
    alpha.host = u"alpha"_s;
    alpha.reachable = true;
    alpha.roundTripMs = 12;
    alpha.load1 = 0.5;
    ServiceState api;
    api.service = u"api"_s;
    api.state = u"running"_s;
    api.health = u"healthy"_s;
    alpha.services.append(api);
    QVERIFY(Orchestrator().recordMetrics({alpha}, QDateTime::currentSecsSinceEpoch() - 60));

    Run run = cli({u"--registry"_s, demo(), u"metrics"_s, u"alpha"_s, u"--json"_s});
    QCOMPARE(run.code, 0);
    QJsonObject o = run.json().toObject();
    QCOMPARE(o.value(u"host"_s).toString(), u"alpha"_s);
    QStringList names;
    for (const QJsonValue &series : o.value(u"series"_s).toArray())
        names.append(series.toObject().value(u"name"_s).toString());
    QCOMPARE(names, QStringList({u"load1"_s, u"reachable"_s, u"ssh_ms"_s}));
    run = cli({u"--registry"_s, demo(), u"metrics"_s, u"api"_s});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.contains(u"up "_s) && run.out.contains(u"uptime 100 % (24 h)"_s),
             qPrintable(run.out));
    // Nothing that long ago; a name the registry does not know; a duration that is not one.
    run = cli({u"--registry"_s, demo(), u"metrics"_s, u"alpha"_s, u"--since"_s, u"30s"_s});
    QCOMPARE(run.code, 0);
    QVERIFY2(run.out.startsWith(u"no samples of alpha"_s), qPrintable(run.out));
    // status --json carries each service's uptime and MTTR too.
    run = cli({u"--registry"_s, demo(), u"status"_s, u"api"_s, u"--json"_s});
    const QJsonObject availability =
        run.json().toArray().first().toObject().value(u"availability"_s).toObject();
    QVERIFY2(availability.value(u"uptime_pct_30d"_s).toDouble() == 100.0
                 && availability.value(u"mttr_seconds"_s).toInt() == -1,
             qPrintable(run.out));
    QCOMPARE(cli({u"--registry"_s, demo(), u"metrics"_s, u"nope"_s}).code, 1);
    QCOMPARE(cli({u"--registry"_s, demo(), u"metrics"_s, u"api"_s, u"--since"_s, u"5x"_s}).code, 2);
    qunsetenv("PORTOSER_DB");
}

QTEST_GUILESS_MAIN(TestCliCommands)
#include "TestCliCommands.moc"
