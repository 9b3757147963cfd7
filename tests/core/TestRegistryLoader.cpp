// SPDX-License-Identifier: Apache-2.0
// Structural problems: YAML, types, interpolation, includes, duplicates, unknown keys.
#include "core/Orchestrator.h"
#include "core/registry/RegistryEditor.h"
#include "core/registry/RegistryJson.h"
#include "core/registry/RegistrySchema.h"
#include "tests/support/TempRegistry.h"

#include <QTest>

using namespace Portoser;
using namespace Portoser::Test;
using namespace Qt::Literals::StringLiterals;

class TestRegistryLoader : public QObject
{
    Q_OBJECT

private slots:
    void newRegistryReadsBackWhatWasTyped();
    void reportsProblemAt_data();
    void reportsProblemAt();
    void minimalRegistryLoads();
    void interpolatesFromEnvironment();
    void includesMergeWithGlobs();
    void duplicateAcrossIncludesNamesBothPlaces();
    void includeCycleIsAnError();
    void missingIncludeIsAnError();
    void serviceFileBesideRegistryIsMerged();
    void upstreamRegistryValidatesUnchanged();
    void reportsEveryProblemAtOnce();
    void missingFileSaysSo();
    void aliasesShareOneList();
    void coordinatorIsReadAndItsPasswordNeverEchoed();
    void notificationChannelsAreReadAndChecked();
    void snapshotKeepsEveryField();
    void hostileYamlIsRefused_data();
    void hostileYamlIsRefused();
};

namespace {

// Lines 1-9; tests append or replace lines to put one mistake at a known place.
const char *const Base = R"(
hosts:
  h1:
    ip: 10.0.0.1
    path: /srv
services:
  api:
    current_host: h1
    deployment_type: process
    command: ./run
)";

} // namespace

void TestRegistryLoader::reportsProblemAt_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<bool>("isError");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("needle");

    const QByteArray base = dedent(Base);
    QTest::addRow("unset variable, plain scalar") << base + "    working_dir: ${APP_ROOT}/api\n"
                                                  << true << 10 << 18 << "APP_ROOT is not set";
    QTest::addRow("unset variable, quoted, after text")
        << base + "    working_dir: \"/srv/${APP_ROOT}\"\n"
        << true << 10 << 24 << "APP_ROOT is not set";
    QTest::addRow("unterminated reference") << base + "    working_dir: /srv/${APP_ROOT\n"
                                            << true << 10 << 23 << "unterminated";
    QTest::addRow("port not a number") << base + "    port: http\n"
                                       << true << 10 << 11 << "not a number";
    QTest::addRow("port zero") << base + "    port: 0\n" << true << 10 << 11 << "out of range";
    QTest::addRow("port too big") << base + "    port: 65536\n"
                                  << true << 10 << 11 << "out of range";
    QTest::addRow("list where a value belongs")
        << base + "    hostname: [a, b]\n"
        << true << 10 << 15 << "must be a single value, not a list";
    QTest::addRow("unknown deployment type")
        << dedent(Base).replace("deployment_type: process", "deployment_type: kubernetes") << true
        << 8 << 22 << "must be one of process, local, native, docker";
    QTest::addRow("unknown transport")
        << dedent(Base).replace("    path: /srv", "    path: /srv\n    transport: telnet") << true
        << 5 << 16 << "transport must be \"ssh\" or \"local\"";
    QTest::addRow("bad duration") << base + "    stop_timeout: soon\n"
                                  << true << 10 << 19 << "must be a duration";
    QTest::addRow("bad health type") << base + "    health:\n      type: ping\n"
                                     << true << 11 << 13 << "type must be http, tcp or command";
    QTest::addRow("bad heal flag") << base + "    heal:\n      enabled: maybe\n"
                                   << true << 11 << 16 << "must be true or false";
    QTest::addRow("env name with a dash")
        << base + "    env:\n      BAD-NAME: x\n"
        << true << 11 << 7 << "not a valid environment variable name";
    QTest::addRow("invalid YAML") << base + "    command: [unclosed\n"
                                  << true << 11 << 1 << "not valid YAML";
    QTest::addRow("tab indentation is invalid YAML") << base + "\tport: 1\n"
                                                     << true << 10 << 1 << "not valid YAML";
    QTest::addRow("same key twice in one map")
        << base + "    command: ./other\n"
        << true << 10 << 5 << "key \"command\" appears twice (first at";
    QTest::addRow("service defined twice in one file") << base + "  api:\n    current_host: h1\n"
                                                       << true << 10 << 3 << "appears twice";
    QTest::addRow("unknown key is a warning with a suggestion")
        << base + "    dependancies: [x]\n"
        << false << 10 << 5 << "did you mean \"dependencies\"";
    QTest::addRow("unknown top-level key") << base + "servicez: {}\n"
                                           << false << 10 << 1 << "unknown key \"servicez\"";
    QTest::addRow("coordinator url not http")
        << QByteArray(base + "coordinator:\n  url: ftp://coord:8420\n") << true << 11 << 8
        << "coordinator: url must be http(s)://host[:port]";
    QTest::addRow("coordinator url with a password is not echoed")
        << QByteArray(base + "coordinator:\n  url: https://ops:hunter2@coord\n") << true << 11 << 8
        << "must not carry credentials";
    QTest::addRow("top level is a list")
        << QByteArray("- a\n- b\n") << true << 1 << 1 << "top level must be a mapping";
    QTest::addRow("empty file") << QByteArray("# nothing\n") << true << 1 << 1
                                << "registry is empty";
    QTest::addRow("hosts is a list")
        << QByteArray("hosts: [a]\nservices: {}\n") << true << 1 << 8 << "hosts must be a mapping";
}

void TestRegistryLoader::reportsProblemAt()
{
    QFETCH(QByteArray, yaml);
    QFETCH(bool, isError);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, needle);

    TempRegistry temp;
    temp.writeRegistry(yaml);
    const QString mismatch =
        mismatchOfIssueAt(temp.check(), needle, isError, temp.path(), line, column);
    QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
}

void TestRegistryLoader::minimalRegistryLoads()
{
    TempRegistry temp;
    temp.writeRegistry(dedent(Base));
    const CheckedRegistry checked = temp.check();
    QVERIFY2(checked.issues.isEmpty(), qPrintable(describe(checked.issues)));
    const Service *api = checked.registry.service(u"api"_s);
    QVERIFY(api);
    QCOMPARE(api->currentHost, u"h1"_s);
    QVERIFY(api->type == DeploymentType::Process);
    QCOMPARE(api->command, u"./run"_s);
    QCOMPARE(api->location.line, 6);
    QCOMPARE(api->location.column, 3);
    QCOMPARE(checked.registry.host(u"h1"_s)->sshPort, 22);
}

void TestRegistryLoader::interpolatesFromEnvironment()
{
    TempRegistry temp;
    temp.writeRegistry(
        dedent(Base).replace("path: /srv", "path: ${BASE}/svc")
        + "    port: ${API_PORT:-8080}\n    env:\n      GREETING: \"$${NOT_A_VAR}\"\n");
    const CheckedRegistry checked = temp.check({{u"BASE"_s, u"/opt"_s}});
    QVERIFY2(checked.isValid(), qPrintable(describe(checked.issues)));
    QCOMPARE(checked.registry.host(u"h1"_s)->path, u"/opt/svc"_s);
    QCOMPARE(checked.registry.service(u"api"_s)->port, 8080);
    QCOMPARE(checked.registry.service(u"api"_s)->env.value(u"GREETING"_s), u"${NOT_A_VAR}"_s);

    const CheckedRegistry overridden =
        temp.check({{u"BASE"_s, u"/opt"_s}, {u"API_PORT"_s, u"9000"_s}});
    QCOMPARE(overridden.registry.service(u"api"_s)->port, 9000);
}

void TestRegistryLoader::includesMergeWithGlobs()
{
    TempRegistry temp;
    temp.writeRegistry(dedent(Base) + "include:\n  - hosts.d/*.yml\n  - more/services.yml\n");
    temp.write(u"hosts.d/b.yml"_s, "hosts:\n  h3:\n    ip: 10.0.0.3\n    path: /srv\n");
    temp.write(u"hosts.d/a.yml"_s, "hosts:\n  h2:\n    ip: 10.0.0.2\n    path: /srv\n");
    temp.write(u"more/services.yml"_s, "services:\n  web:\n    current_host: h2\n    "
                                       "deployment_type: process\n    command: ./web\n"
                                       "    dependencies: [api]\n");
    const CheckedRegistry checked = temp.check();
    QVERIFY2(checked.isValid(), qPrintable(describe(checked.issues)));
    QCOMPARE(checked.registry.hosts.keys(), QStringList({u"h1"_s, u"h2"_s, u"h3"_s}));
    QCOMPARE(checked.registry.service(u"web"_s)->location.file, temp.path(u"more/services.yml"_s));
    QCOMPARE(checked.registry.service(u"web"_s)->location.line, 2);
}

void TestRegistryLoader::duplicateAcrossIncludesNamesBothPlaces()
{
    TempRegistry temp;
    temp.writeRegistry(dedent(Base) + "include: [extra.yml]\n");
    temp.write(u"extra.yml"_s, "services:\n  api:\n    current_host: h1\n    deployment_type: "
                               "process\n    command: ./x\n");
    const CheckedRegistry checked = temp.check();
    const Issue *issue = findIssue(checked.issues, u"defined twice"_s);
    QVERIFY2(issue, qPrintable(describe(checked.issues)));
    QCOMPARE(issue->where.file, temp.path(u"extra.yml"_s));
    QCOMPARE(issue->where.line, 2);
    QVERIFY2(issue->message.contains(temp.path() + u":6:3"_s), qPrintable(issue->message));
    QVERIFY(!checked.isValid());
}

void TestRegistryLoader::includeCycleIsAnError()
{
    TempRegistry temp;
    temp.writeRegistry(dedent(Base) + "include: [a.yml]\n");
    temp.write(u"a.yml"_s, "include: [registry.yml]\n");
    const CheckedRegistry checked = temp.check();
    const Issue *issue = findIssue(checked.issues, u"cycle"_s);
    QVERIFY2(issue, qPrintable(describe(checked.issues)));
    QCOMPARE(issue->where.file, temp.path(u"a.yml"_s));
    QCOMPARE(issue->where.line, 1);
}

void TestRegistryLoader::missingIncludeIsAnError()
{
    TempRegistry temp;
    temp.writeRegistry(dedent(Base) + "include:\n  - nowhere.yml\n  - none/*.yml\n");
    const CheckedRegistry checked = temp.check();
    const Issue *missing = findIssue(checked.issues, u"does not exist"_s);
    QVERIFY2(missing && missing->isError(), qPrintable(describe(checked.issues)));
    QCOMPARE(missing->where.line, 11);
    const Issue *noMatch = findIssue(checked.issues, u"matches no file"_s);
    QVERIFY2(noMatch && !noMatch->isError(), qPrintable(describe(checked.issues)));
    QCOMPARE(noMatch->where.line, 12);
}

void TestRegistryLoader::serviceFileBesideRegistryIsMerged()
{
    TempRegistry temp;
    temp.writeRegistry(dedent(Base)
                       + "  db:\n    current_host: h1\n    deployment_type: native\n"
                         "    service_file: /db/service.yml\n");
    temp.write(u"db/service.yml"_s, "name: db\nports: [5432]\nstart: pg_ctl start\n"
                                    "dependencies:\n  api:\n    reason: needs it\n"
                                    "environment:\n  PGDATA: /var/lib/pg\n");
    const CheckedRegistry checked = temp.check();
    QVERIFY2(checked.isValid(), qPrintable(describe(checked.issues)));
    const Service *db = checked.registry.service(u"db"_s);
    QVERIFY(db->serviceFile.has_value());
    QCOMPARE(db->effectivePort(), 5432);
    QCOMPARE(db->serviceFile->start, u"pg_ctl start"_s);
    QCOMPARE(db->allDependencies(), QStringList{u"api"_s});
    QCOMPARE(db->serviceFile->environment.value(u"PGDATA"_s), u"/var/lib/pg"_s);
}

void TestRegistryLoader::upstreamRegistryValidatesUnchanged()
{
    const QString path =
        qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/tests/data/upstream/registry.yml"_s;
    const CheckedRegistry checked = Orchestrator().checkRegistry(path);
    QVERIFY2(checked.issues.isEmpty(), qPrintable(describe(checked.issues)));
    QCOMPARE(checked.registry.hosts.size(), 7);
    QCOMPARE(checked.registry.services.size(), 24);
    QCOMPARE(checked.registry.host(u"pi1"_s)->sshPort, 2222);
    QCOMPARE(checked.registry.caddy.adminEndpoint, u"http://127.0.0.1:2019"_s);
    QCOMPARE(checked.registry.caddy.ingressHost, u"mini1"_s);
    // service.yml files beside the registry are read: their port and map-form dependencies.
    QCOMPARE(checked.registry.service(u"pgbouncer-test"_s)->allDependencies(),
             QStringList({u"postgres-test"_s, u"caddy"_s}));
    QCOMPARE(checked.registry.service(u"postgres-prod"_s)->serviceFile->healthcheck,
             u"pg_isready -h 127.0.0.1 -p 5432"_s);
    int docker = 0, local = 0, native = 0;
    for (const Service &s : checked.registry.services) {
        docker += s.type == DeploymentType::Docker;
        local += s.type == DeploymentType::Local;
        native += s.type == DeploymentType::Native;
    }
    QVERIFY(docker > 0 && local > 0 && native > 0);
}

void TestRegistryLoader::reportsEveryProblemAtOnce()
{
    const QString path =
        qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/tests/data/broken/registry.yml"_s;
    const CheckedRegistry checked = Orchestrator().checkRegistry(path);
    // One per planted mistake; each must carry a file, a line and a column.
    const QStringList expected = {u"defined twice"_s,
                                  u"not a valid IP address"_s,
                                  u"not a valid user name"_s,
                                  u"\"..\" component"_s,
                                  u"ssh_port: 70000 is out of range"_s,
                                  u"max_parallel must be a whole number from 1 to 64, not \"0\""_s,
                                  u"missing required field \"path\""_s,
                                  u"\"pi9\" is not defined"_s,
                                  u"dependency \"cache\" is not defined"_s,
                                  u"dependency cycle: db → worker → db"_s,
                                  u"\"abc\" is not a number"_s,
                                  u"port: 0 is out of range"_s,
                                  u"shell metacharacters ($())"_s,
                                  u"not a valid host name"_s,
                                  u"did you mean \"current_host\""_s,
                                  u"not \"teleport\""_s,
                                  u"SECRETS_DIR is not set"_s,
                                  u"port 8080 on host \"pi2\" is already used by service \"db\""_s,
                                  u"docker service needs"_s};
    for (const QString &needle : expected) {
        const Issue *issue = findIssue(checked.issues, needle);
        QVERIFY2(issue,
                 qPrintable(u"missing \"%1\" in:\n%2"_s.arg(needle, describe(checked.issues))));
        QVERIFY2(issue->where.line > 0 && issue->where.column > 0, qPrintable(issue->toString()));
    }
    QCOMPARE(checked.issues.size(), expected.size());
}

void TestRegistryLoader::missingFileSaysSo()
{
    const CheckedRegistry checked = Orchestrator().checkRegistry(u"/nonexistent/registry.yml"_s);
    QCOMPARE(checked.issues.size(), 1);
    QVERIFY(checked.issues.first().message.contains(u"cannot read the registry"_s));
    QCOMPARE(checked.issues.first().where.file, u"/nonexistent/registry.yml"_s);
}

void TestRegistryLoader::aliasesShareOneList()
{
    TempRegistry temp;
    temp.writeRegistry(dedent(R"(
        hosts:
          h1: {ip: 10.0.0.1, path: /srv, roles: &r [web, db]}
          h2: {ip: 10.0.0.2, path: /srv, roles: *r}
        services: {}
    )"));
    const CheckedRegistry checked = temp.check();
    QVERIFY2(errorCount(checked.issues) == 0, qPrintable(describe(checked.issues)));
    QCOMPARE(checked.registry.host(u"h2"_s)->roles, QStringList({u"web"_s, u"db"_s}));
}

void TestRegistryLoader::notificationChannelsAreReadAndChecked()
{
    TempRegistry temp;
    temp.writeRegistry(dedent(Base)
                       + "notifications:\n"
                         "  - type: webhook\n"
                         "    url: https://hooks.example/portoser\n"
                         "    events: [down, recovered]\n"
                         "  - type: slack\n"
                         "    url_secret: notify/slack#url\n"
                         "  - type: email\n"
                         "    smtp: mail.example:2525\n"
                         "    from: portoser@example.org\n"
                         "    to: [ops@example.org, oncall@example.org]\n"
                         "    username: portoser\n"
                         "    password_secret: vault:notify/smtp#password\n");
    CheckedRegistry checked = temp.check();
    QVERIFY2(checked.issues.isEmpty(), qPrintable(describe(checked.issues)));
    const QList<NotificationChannel> &n = checked.registry.notifications;
    QCOMPARE(n.size(), 3);
    QCOMPARE(int(n[0].type), int(NotificationChannel::Type::Webhook));
    QVERIFY(n[0].wants(u"down"_s) && !n[0].wants(u"given_up"_s));
    QVERIFY(n[1].wants(u"given_up"_s)); // no events: all of them
    QCOMPARE(n[1].urlSecret, u"notify/slack#url"_s);
    QCOMPARE(n[2].smtpHost, u"mail.example"_s);
    QCOMPARE(n[2].smtpPort, 2525);
    QCOMPARE(n[2].to.size(), 2);

    // Each mistake where it is, and a password written in place of a reference is not echoed.
    temp.writeRegistry(dedent(Base)
                       + "notifications:\n"
                         "  - type: webhok\n"
                         "    url: https://a.example\n"
                         "  - type: ntfy\n"
                         "    url: https://ops:hunter2@ntfy.example/topic\n"
                         "  - type: webhook\n"
                         "    url: https://a.example\n"
                         "    events: [down, recoverd]\n"
                         "  - type: email\n"
                         "    smtp: mail.example\n"
                         "    from: portoser@example.org\n"
                         "    to: ops@example.org\n"
                         "    username: u\n"
                         "    password_secret: hunter2\n"
                         "  - type: slack\n");
    checked = temp.check();
    const QString all = describe(checked.issues);
    QVERIFY2(!all.contains(u"hunter2"_s), qPrintable(all));
    for (const auto &[needle, line] :
         {std::pair{u"type must be one of webhook, ntfy, slack, email, not \"webhok\" (did you "
                    "mean \"webhook\"?)"_s,
                    11},
          std::pair{u"notifications[1]: url must not carry credentials"_s, 14},
          std::pair{u"unknown event \"recoverd\""_s, 17},
          std::pair{u"password_secret must be a secret reference"_s, 23},
          std::pair{u"notifications[4]: a slack channel needs url:"_s, 24}}) {
        const Issue *issue = findIssue(checked.issues, needle);
        QVERIFY2(issue, qPrintable(needle + u" in:\n"_s + all));
        QCOMPARE(issue->where.line, line);
    }
}

void TestRegistryLoader::coordinatorIsReadAndItsPasswordNeverEchoed()
{
    TempRegistry temp;
    temp.writeRegistry(dedent(Base) + "coordinator:\n  url: https://coord.example:8420/\n");
    CheckedRegistry checked = temp.check();
    // No warning either: `coordinator` is a key the registry knows (it once warned "unknown key
    // coordinator is ignored" while using it, and `validate --strict` failed on it).
    QVERIFY2(checked.issues.isEmpty(), qPrintable(describe(checked.issues)));
    QCOMPARE(checked.registry.coordinator.url, u"https://coord.example:8420"_s);
    QCOMPARE(checked.registry.coordinator.location.line, 11);

    temp.writeRegistry(dedent(Base) + "coordinator:\n  url: https://ops:hunter2@coord\n");
    checked = temp.check();
    QCOMPARE(errorCount(checked.issues), 1);
    QVERIFY2(!describe(checked.issues).contains(u"hunter2"_s),
             qPrintable(describe(checked.issues)));
    QVERIFY(checked.registry.coordinator.url.isEmpty());

    // Not a URL the strict parser accepts, and an '@' in it: not echoed either.
    temp.writeRegistry(dedent(Base) + "coordinator:\n  url: \"https://ops:hun ter2@coord\"\n");
    checked = temp.check();
    QCOMPARE(errorCount(checked.issues), 1);
    QVERIFY2(!describe(checked.issues).contains(u"ter2"_s), qPrintable(describe(checked.issues)));
    // A query or fragment would swallow the API's paths.
    temp.writeRegistry(dedent(Base) + "coordinator:\n  url: https://coord:8420/?x=1\n");
    QCOMPARE(errorCount(temp.check().issues), 1);
}

void TestRegistryLoader::snapshotKeepsEveryField()
{
    // Every field the schema says belongs in a release's snapshot is written and read back, so a
    // rollback runs what ran then.
    TempRegistry temp;
    temp.writeRegistry(dedent(R"(
        hosts:
          h1: {ip: 10.0.0.1, path: /srv}
        services:
          db: {current_host: h1, deployment_type: process, command: ./db}
          api:
            current_host: h1
            deployment_type: process
            port: 8080
            hostname: api.example.org
            healthcheck_url: http://localhost:8080/health
            healthcheck_command: curl -fs localhost:8080
            dependencies: [db]
            docker_compose: compose.yml
            service_file: service.yml
            service_name: api-unit
            working_dir: app
            python_manager: uv
            restart_command: ./restart
            tls_cert: certs/api.crt
            tls_key: certs/api.key
            ca_cert: certs/ca.crt
            platform: linux/arm64
            tags: [web]
            description: the API
            notes: not part of a release
            command: ./run
            source: src
            env: {MODE: prod}
            env_file: api.env
            secrets: {TOKEN: "api#token"}
            stop_timeout: 20s
            health: {type: http, path: /ready, port: 8081, command: "true", interval: 3,
                     timeout: 4, retries: 6, start_period: 7, min_uptime: 2}
            heal: {enabled: false, max_restarts: 9, window: 120}
    )"));
    temp.write(u"service.yml"_s, "start: ./go\nstop: ./halt\nport: 9000\nworking_dir: w\n");
    const CheckedRegistry checked = temp.check();
    QVERIFY2(errorCount(checked.issues) == 0, qPrintable(describe(checked.issues)));
    const QJsonObject json = RegistryJson::toJson(*checked.registry.service(u"api"_s));
    for (const auto &field : RegistrySchema::serviceFields()) {
        if (field.json != RegistrySchema::Json::Never)
            QVERIFY2(json.contains(field.key), qPrintable(field.key));
    }
    QVERIFY(!json.contains(u"notes"_s));
    QCOMPARE(json.value(u"stop_timeout"_s).toInt(), 20);
    QCOMPARE(json.value(u"health"_s).toObject().value(u"min_uptime"_s).toInt(), 2);
    QCOMPARE(json.value(u"heal"_s).toObject().value(u"window"_s).toInt(), 120);
    QCOMPARE(json.value(u"service_file_contents"_s).toObject().value(u"start"_s).toString(),
             u"./go"_s);
    QJsonObject again = RegistryJson::toJson(RegistryJson::serviceFromJson(json));
    QJsonObject once = json;
    again.remove(u"location"_s); // where it was written is not part of what runs
    once.remove(u"location"_s);
    QCOMPARE(again, once);
}

void TestRegistryLoader::hostileYamlIsRefused_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("needle");

    // The probe's bomb, smaller: 300 hosts each naming a 5,000-item list = 1.5 M nodes.
    QByteArray bomb = "list: &r [";
    for (int i = 0; i < 5000; ++i)
        bomb += "r" + QByteArray::number(i) + ",";
    bomb += "x]\nservices: {}\nhosts:\n";
    for (int i = 0; i < 300; ++i)
        bomb += "  h" + QByteArray::number(i) + ": {ip: 10.0.0.1, path: /srv, roles: *r}\n";
    QTest::addRow("alias bomb") << bomb << 202 << 43 << "expands to more than 1000000 nodes";
    QTest::addRow("nested too deep")
        << QByteArray("services: {}\nhosts: " + QByteArray(100, '[') + QByteArray(100, ']')) << 2
        << 71 << "nests deeper than 64 levels";
    QByteArray chain = "services: {}\nhosts: {}\nx0: &a0 [x]\n";
    for (int i = 1; i < 100; ++i)
        chain += "x" + QByteArray::number(i) + ": &a" + QByteArray::number(i) + " [*a"
                 + QByteArray::number(i - 1) + "]\n";
    QTest::addRow("aliases nesting deeper than the text")
        << chain << 65 << 12 << "nests deeper than 64 levels through its aliases";
    QTest::addRow("alias inside its own anchor")
        << QByteArray("services: {}\nhosts: &x {h1: *x}\n") << 2 << 16
        << "refers to the node that contains it";
}

void TestRegistryLoader::hostileYamlIsRefused()
{
    QFETCH(QByteArray, yaml);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, needle);

    TempRegistry temp;
    temp.writeRegistry(yaml);
    const QString mismatch =
        mismatchOfIssueAt(temp.check(), needle, true, temp.path(), line, column);
    QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
}

void TestRegistryLoader::newRegistryReadsBackWhatWasTyped()
{
    // What the host wizard writes from typed text loads back as exactly that text.
    Host typed;
    typed.name = u"yes"_s; // a YAML 1.1 boolean unless quoted
    typed.sshHostname = u"pi.local"_s;
    typed.sshUser = u"pi"_s; // (a user name with shell characters is refused, quoted or not)
    typed.sshPort = 2222;
    typed.sshKey = u"~/keys/schlüssel🙂"_s; // beyond the BMP: whole, not U+FFFD
    typed.path = u"/srv/portoser: base"_s;     // ": " would end a plain scalar
    typed.arch = u"arm64-linux"_s;
    TempRegistry temp;
    temp.writeRegistry(RegistryEditor::newRegistry(typed));
    const CheckedRegistry checked = temp.check();
    QVERIFY2(checked.issues.isEmpty(), qPrintable(checked.issues.value(0).toString()));
    const Host *read = checked.registry.host(u"yes"_s);
    QVERIFY(read);
    QCOMPARE(read->sshHostname, typed.sshHostname);
    QCOMPARE(read->sshUser, typed.sshUser);
    QCOMPARE(read->sshPort, 2222);
    QCOMPARE(read->sshKey, typed.sshKey);
    QCOMPARE(read->path, typed.path);
    QCOMPARE(read->arch, typed.arch);
}

QTEST_GUILESS_MAIN(TestRegistryLoader)
#include "TestRegistryLoader.moc"
