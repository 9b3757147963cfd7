// SPDX-License-Identifier: Apache-2.0
// The README's main job, through the real binary: deploy the embedded demo on this machine,
// see it healthy, kill a service and see that, deploy again to bring it back, stop it all.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::Literals::StringLiterals;

class TestDemoDeploy : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void deployStatusKillRedeployStop();
    void savedPlanAppliesOnlyWhileStillTrue();
    void behindCaddyInTwoCommands();
    void cleanupTestCase();

private:
    int cli(const QStringList &args, QByteArray *out = nullptr,
            const QString &registry = u"registry.yml"_s);
    QByteArray curl(const QString &name, const QString &path, bool clientCertificate) const;
    QMap<QString, QJsonObject> status();

    QTemporaryDir m_home;
    QProcessEnvironment m_env;
};

void TestDemoDeploy::initTestCase()
{
    // Everything the demo writes goes to a temp dir, on ports no other test uses.
    m_env = QProcessEnvironment::systemEnvironment();
    m_env.insert(u"PORTOSER_DEMO_HOME"_s, m_home.filePath(u"demo"_s));
    m_env.insert(u"PORTOSER_DEMO_SITE_PORT"_s, u"28601"_s);
    m_env.insert(u"PORTOSER_DEMO_API_PORT"_s, u"28602"_s);
    m_env.insert(u"PORTOSER_DEMO_CADDY_ADMIN_PORT"_s, u"28619"_s);
    m_env.insert(u"PORTOSER_DEMO_HTTP_PORT"_s, u"28680"_s);
    m_env.insert(u"PORTOSER_DEMO_HTTPS_PORT"_s, u"28643"_s);
    m_env.insert(u"PORTOSER_DB"_s, m_home.filePath(u"portoser.db"_s));
    m_env.insert(u"PORTOSER_HOME"_s, m_home.filePath(u"home"_s));
    // A copy of the demo, so a test may change its sources.
    QVERIFY(QProcess::execute(u"cp"_s,
                              {u"-r"_s,
                               qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/examples/demo"_s,
                               m_home.filePath(u"src"_s)})
            == 0);
}

int TestDemoDeploy::cli(const QStringList &args, QByteArray *out, const QString &registry)
{
    QProcess p;
    p.setProcessEnvironment(m_env);
    p.start(qEnvironmentVariable("PORTOSER_BINARY"),
            QStringList{u"--cli"_s, u"--registry"_s, m_home.filePath(u"src/"_s + registry)} + args);
    if (!p.waitForFinished(120000))
        return -1;
    if (out)
        *out = p.readAllStandardOutput();
    return p.exitCode();
}

QMap<QString, QJsonObject> TestDemoDeploy::status()
{
    QByteArray out;
    cli({u"status"_s, u"--json"_s}, &out);
    QMap<QString, QJsonObject> states;
    for (const QJsonValue &v : QJsonDocument::fromJson(out).array())
        states.insert(v.toObject().value(u"service"_s).toString(), v.toObject());
    return states;
}

void TestDemoDeploy::deployStatusKillRedeployStop()
{
    QByteArray out;
    QCOMPARE(cli({u"deploy"_s, u"--json"_s}, &out), 0);
    const QJsonArray deployed =
        QJsonDocument::fromJson(out).object().value(u"deployed"_s).toArray();
    QCOMPARE(deployed.size(), 3);

    auto states = status();
    QCOMPARE(states.size(), 3);
    for (const QJsonObject &s : states) {
        QCOMPARE(s.value(u"state"_s).toString(), u"running"_s);
        QCOMPARE(s.value(u"health"_s).toString(), u"healthy"_s);
    }

    // A killed service shows as dead, and the next deploy restarts just that one.
    const auto apiPid = pid_t(states.value(u"api"_s).value(u"pid"_s).toInteger());
    QVERIFY(apiPid > 0);
    QCOMPARE(::kill(-apiPid, SIGKILL), 0);
    QTRY_COMPARE_WITH_TIMEOUT(status().value(u"api"_s).value(u"state"_s).toString(), u"dead"_s,
                              10000);

    QCOMPARE(cli({u"deploy"_s, u"--dry-run"_s, u"--json"_s}, &out), 0);
    QJsonArray planned = QJsonDocument::fromJson(out).object().value(u"services"_s).toArray();
    QMap<QString, QString> actions;
    for (const QJsonValue &v : planned)
        actions.insert(v.toObject().value(u"service"_s).toString(),
                       v.toObject().value(u"action"_s).toString());
    QCOMPARE(actions.value(u"api"_s), u"restart"_s);
    QCOMPARE(actions.value(u"site"_s), u"no-op"_s);

    QCOMPARE(cli({u"deploy"_s, u"--json"_s}, &out), 0);
    QCOMPARE(QJsonDocument::fromJson(out).object().value(u"deployed"_s).toArray().size(), 1);
    QCOMPARE(status().value(u"api"_s).value(u"health"_s).toString(), u"healthy"_s);

    QCOMPARE(cli({u"history"_s, u"list"_s, u"api"_s, u"--json"_s}, &out), 0);
    QCOMPARE(QJsonDocument::fromJson(out).array().size(), 2);
    // The filters the History page has: by host and by outcome.
    QCOMPARE(cli({u"history"_s, u"list"_s, u"--host"_s, u"beta"_s, u"--json"_s}, &out), 0);
    const QJsonArray onBeta = QJsonDocument::fromJson(out).array();
    QVERIFY(!onBeta.isEmpty());
    for (const QJsonValue &r : onBeta)
        QCOMPARE(r[u"host"].toString(), u"beta"_s);
    QCOMPARE(cli({u"history"_s, u"list"_s, u"--outcome"_s, u"failed"_s, u"--json"_s}, &out), 0);
    QVERIFY(QJsonDocument::fromJson(out).array().isEmpty());
}

void TestDemoDeploy::savedPlanAppliesOnlyWhileStillTrue()
{
    const QString planFile = m_home.filePath(u"plan.json"_s);
    QFile page(m_home.filePath(u"src/site/index.html"_s));
    QVERIFY(page.open(QIODevice::Append));
    page.write("<!-- v2 -->\n");
    page.close();
    QCOMPARE(cli({u"deploy"_s, u"--dry-run"_s, u"--save-plan"_s, planFile}), 0);
    QVERIFY(QFile::exists(planFile));

    // The site changes again after the review: the saved plan no longer describes it.
    QVERIFY(page.open(QIODevice::Append));
    page.write("<!-- v3 -->\n");
    page.close();
    QByteArray out;
    QCOMPARE(cli({u"deploy"_s, u"--plan"_s, planFile, u"--json"_s}, &out), 1);
    QVERIFY2(out.contains("changed since this plan was made"), out.constData());

    // Reviewed again, it applies exactly what it says: the site is updated, nothing else.
    QCOMPARE(cli({u"deploy"_s, u"--dry-run"_s, u"--save-plan"_s, planFile}), 0);
    QCOMPARE(cli({u"deploy"_s, u"--plan"_s, planFile, u"--json"_s}, &out), 0);
    const QJsonArray deployed =
        QJsonDocument::fromJson(out).object().value(u"deployed"_s).toArray();
    QCOMPARE(deployed.size(), 1);
    QCOMPARE(deployed.first().toObject().value(u"service"_s).toString(), u"site"_s);
    QCOMPARE(deployed.first().toObject().value(u"outcome"_s).toString(), u"succeeded"_s);
}

QByteArray TestDemoDeploy::curl(const QString &name, const QString &path,
                                bool clientCertificate) const
{
    QStringList args{u"-sS"_s,
                     u"-m"_s,
                     u"5"_s,
                     u"--resolve"_s,
                     u"%1.demo.internal:28643:127.0.0.1"_s.arg(name),
                     u"--cacert"_s,
                     m_home.filePath(u"home/ca/ca.crt"_s)};
    if (clientCertificate)
        args += {u"--cert"_s, m_home.filePath(u"home/certs/demo.internal/api/client.crt"_s),
                 u"--key"_s, m_home.filePath(u"home/certs/demo.internal/api/client.key"_s)};
    QProcess p;
    p.start(u"curl"_s, args + QStringList{u"https://%1.demo.internal:28643%2"_s.arg(name, path)});
    p.waitForFinished(10000);
    return p.readAllStandardOutput() + p.readAllStandardError();
}

void TestDemoDeploy::behindCaddyInTwoCommands()
{
    // The two commands of examples/demo/tls.yml: the demo with its Caddy, then the proxy.
    QByteArray out;
    QCOMPARE(cli({u"deploy"_s}, &out, u"tls.yml"_s), 0);
    QCOMPARE(cli({u"proxy"_s, u"apply"_s}, &out, u"tls.yml"_s), 0);
    QVERIFY2(out.contains("made the internal CA") && out.contains("issued a certificate for site")
                 && out.contains("issued a certificate for api"),
             out.constData());
    QTRY_VERIFY_WITH_TIMEOUT(curl(u"site"_s, u"/"_s, false).contains("Deployed by Portoser"),
                             10000);
    // The api takes only clients with a certificate from the internal CA (mTLS).
    QVERIFY(!curl(u"api"_s, u"/hello"_s, false).contains("hello from the demo api"));
    QCOMPARE(cli({u"certs"_s, u"issue"_s, u"api"_s, u"--client"_s}, &out, u"tls.yml"_s), 0);
    QVERIFY2(curl(u"api"_s, u"/hello"_s, true).contains("hello from the demo api"),
             curl(u"api"_s, u"/hello"_s, true).constData());
    QCOMPARE(cli({u"proxy"_s, u"status"_s}, &out, u"tls.yml"_s), 0); // every route ok
    QCOMPARE(cli({u"stop"_s, u"ingress"_s}, &out, u"tls.yml"_s), 0);
}

void TestDemoDeploy::cleanupTestCase()
{
    cli({u"stop"_s, u"worker"_s, u"api"_s, u"site"_s});
    for (const QJsonObject &s : status())
        QCOMPARE(s.value(u"state"_s).toString(), u"stopped"_s);
}

QTEST_GUILESS_MAIN(TestDemoDeploy)
#include "TestDemoDeploy.moc"
