// SPDX-License-Identifier: Apache-2.0
// The HashiCorp Vault backend against tests/vault/vault-test-server.py (Vault's documented KV v2
// and AppRole API, itself checked with python3-hvac by TestVaultServerWithHvac), over TLS with a
// custom CA; and migrate-all moving .env files from the namespace hosts into Vault, then a deploy
// injecting them.
#include "core/secrets/VaultSecretStore.h"
#include "tests/support/TempRegistry.h"
#include "tests/support/TestHosts.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Portoser;
using namespace Portoser::Test;
using namespace Qt::Literals::StringLiterals;

class TestVault : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void readWriteListVersions();
    void versionOperations();
    void vaultErrorsAreClear();
    void concurrentWritersLoseNoKey();
    void approleTokenIsRenewedAndReplaced();
    void wrongCaIsRefused();
    void migrateAllFromHostsThenDeploy();

private:
    QString vaultDir(const QString &name) const { return m_dir.filePath(name); }
    VaultSettings settings(const QString &ns = {}) const;
    QByteArray control(const QByteArray &path, const QByteArray &body);
    QProcess m_server;
    QTemporaryDir m_dir;
    QString m_address;
};

void TestVault::initTestCase()
{
    auto openssl = [this](const QStringList &args) {
        QProcess p;
        p.setWorkingDirectory(m_dir.path());
        p.start(u"openssl"_s, args);
        return p.waitForFinished(30000) && p.exitCode() == 0;
    };
    QVERIFY(openssl({u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
                     u"ec_paramgen_curve:P-256"_s, u"-nodes"_s, u"-keyout"_s, u"ca.key"_s,
                     u"-out"_s, u"ca.crt"_s, u"-days"_s, u"2"_s, u"-subj"_s, u"/CN=test CA"_s}));
    QVERIFY(openssl({u"req"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:P-256"_s,
                     u"-nodes"_s, u"-keyout"_s, u"server.key"_s, u"-out"_s, u"server.csr"_s,
                     u"-subj"_s, u"/CN=127.0.0.1"_s}));
    QFile ext(vaultDir(u"san.ext"_s));
    QVERIFY(ext.open(QIODevice::WriteOnly));
    ext.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    ext.close();
    QVERIFY(openssl({u"x509"_s, u"-req"_s, u"-in"_s, u"server.csr"_s, u"-CA"_s, u"ca.crt"_s,
                     u"-CAkey"_s, u"ca.key"_s, u"-CAcreateserial"_s, u"-out"_s, u"server.crt"_s,
                     u"-days"_s, u"2"_s, u"-extfile"_s, u"san.ext"_s}));
    m_server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_server.start(
        u"python3"_s,
        {qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/tests/vault/vault-test-server.py"_s,
         u"--cert"_s, vaultDir(u"server.crt"_s), u"--key"_s, vaultDir(u"server.key"_s),
         u"--approle"_s, u"deployer:s3cret-id:2:5"_s});
    QVERIFY(m_server.waitForReadyRead(15000));
    const QByteArray line = m_server.readLine().trimmed();
    QVERIFY2(line.startsWith("listening on "), line.constData());
    m_address = u"https://127.0.0.1:"_s + QString::fromLatin1(line.mid(13));
}

void TestVault::cleanupTestCase()
{
    m_server.terminate();
    m_server.waitForFinished(5000);
}

VaultSettings TestVault::settings(const QString &ns) const
{
    VaultSettings s;
    s.address = m_address;
    s.caFile = vaultDir(u"ca.crt"_s);
    s.vaultNamespace = ns;
    return s;
}

QByteArray TestVault::control(const QByteArray &path, const QByteArray &body)
{
    QProcess curl;
    curl.start(u"curl"_s, {u"-sS"_s, u"--cacert"_s, vaultDir(u"ca.crt"_s), u"-X"_s, u"POST"_s,
                           u"-d"_s, QString::fromUtf8(body), m_address + QString::fromUtf8(path)});
    curl.waitForFinished(10000);
    return curl.readAllStandardOutput();
}

void TestVault::readWriteListVersions()
{
    qputenv("VAULT_TOKEN", "root-token");
    VaultSecretStore store(settings());
    QVERIFY(store.status().value(u"unlocked"_s).toBool());
    QCOMPARE(*store.put(u"services/api"_s, u"DB_PASSWORD"_s, u"one"_s), 1);
    QCOMPARE(*store.putAll(u"services/api"_s, {{u"DB_PASSWORD"_s, u"two"_s}, {u"TOKEN"_s, u"t"_s}}),
             2);
    QCOMPARE(*store.put(u"services/web/tls"_s, u"KEY"_s, u"k"_s), 1);
    QCOMPARE(*store.get(u"services/api"_s, u"DB_PASSWORD"_s), u"two"_s);
    QCOMPARE(*store.get(u"services/api"_s, u"DB_PASSWORD"_s, 1), u"one"_s);
    QCOMPARE(*store.keys(u"services/api"_s), (QStringList{u"DB_PASSWORD"_s, u"TOKEN"_s}));
    QCOMPARE(*store.paths(u"services/"_s), (QStringList{u"services/api"_s, u"services/web/tls"_s}));
    QCOMPARE(*store.paths(u"services/w"_s), QStringList{u"services/web/tls"_s});
    // TOKEN's own history: it appeared in version 2; a change to another key is not its version.
    QCOMPARE(*store.put(u"services/api"_s, u"DB_PASSWORD"_s, u"three"_s), 3);
    auto tokenHistory = store.versions(u"services/api"_s, u"TOKEN"_s);
    QVERIFY(tokenHistory);
    QCOMPARE(tokenHistory->size(), 1);
    QCOMPARE(tokenHistory->first().version, 2);
    QCOMPARE(store.versions(u"services/api"_s, u"DB_PASSWORD"_s)->size(), 3);
    QVERIFY(store.remove(u"services/api"_s, u"TOKEN"_s));
    QCOMPARE(*store.keys(u"services/api"_s), QStringList{u"DB_PASSWORD"_s});
    QVERIFY(store.versions(u"services/api"_s, u"TOKEN"_s)->last().deleted);
    QCOMPARE(*store.rollback(u"services/api"_s, u"TOKEN"_s, 2), 5);
    QCOMPARE(*store.get(u"services/api"_s, u"TOKEN"_s), u"t"_s);
    QCOMPARE(store.get(u"services/none"_s, u"X"_s).error().code, ErrorCode::NotFound);
    // A namespace is a separate tree.
    VaultSecretStore other(settings(u"team-b"_s));
    QVERIFY(other.paths()->isEmpty());
    QCOMPARE(*other.put(u"services/api"_s, u"DB_PASSWORD"_s, u"b"_s), 1);
    QCOMPARE(*store.get(u"services/api"_s, u"DB_PASSWORD"_s), u"three"_s);
}

void TestVault::versionOperations()
{
    qputenv("VAULT_TOKEN", "root-token");
    VaultSecretStore store(settings());
    QCOMPARE(*store.put(u"ops/x"_s, u"K"_s, u"v1"_s), 1);
    QCOMPARE(*store.put(u"ops/x"_s, u"K"_s, u"v2"_s), 2);
    QVERIFY(store.changeVersions(u"ops/x"_s, VaultSecretStore::VersionAction::Delete, {2}));
    QCOMPARE(store.get(u"ops/x"_s, u"K"_s).error().code, ErrorCode::NotFound);
    QVERIFY(store.changeVersions(u"ops/x"_s, VaultSecretStore::VersionAction::Undelete, {2}));
    QCOMPARE(*store.get(u"ops/x"_s, u"K"_s), u"v2"_s);
    QVERIFY(store.changeVersions(u"ops/x"_s, VaultSecretStore::VersionAction::Destroy, {1}));
    QCOMPARE(store.get(u"ops/x"_s, u"K"_s, 1).error().code, ErrorCode::NotFound);
    // Writing over a deleted latest version continues the numbering (check-and-set on it).
    QVERIFY(store.changeVersions(u"ops/x"_s, VaultSecretStore::VersionAction::Delete, {2}));
    QCOMPARE(*store.put(u"ops/x"_s, u"K"_s, u"v3"_s), 3);
}

void TestVault::vaultErrorsAreClear()
{
    qputenv("VAULT_TOKEN", "reader-token");
    VaultSecretStore reader(settings());
    auto refused = reader.put(u"services/api"_s, u"X"_s, u"y"_s);
    QCOMPARE(refused.error().code, ErrorCode::PermissionDenied);
    QVERIFY2(refused.error().message.contains(u"permission denied (HTTP 403)"_s),
             qPrintable(refused.error().message));
    QVERIFY(!refused.error().message.contains(u"reader-token"_s));

    qputenv("VAULT_TOKEN", "root-token");
    VaultSecretStore store(settings());
    QVERIFY(store.put(u"services/sealed"_s, u"K"_s, u"v"_s));
    control("/_test/seal", R"({"sealed": true})");
    auto sealed = store.get(u"services/sealed"_s, u"K"_s);
    QCOMPARE(sealed.error().code, ErrorCode::Unreachable);
    QVERIFY2(sealed.error().message.contains(u"sealed"_s), qPrintable(sealed.error().message));
    QVERIFY(store.status().value(u"sealed"_s).toBool());
    control("/_test/seal", R"({"sealed": false})");
    QCOMPARE(*store.get(u"services/sealed"_s, u"K"_s), u"v"_s);

    // A write with a stale check-and-set version is a Conflict, as Vault's 400 says.
    auto stale = store.client().call(
        "POST", u"secret/data/services/sealed"_s,
        QJsonObject{{u"options"_s, QJsonObject{{u"cas"_s, 0}}}, {u"data"_s, QJsonObject{}}});
    QCOMPARE(stale.error().code, ErrorCode::Conflict);
    QVERIFY2(stale.error().message.contains(u"check-and-set"_s), qPrintable(stale.error().message));

    qunsetenv("VAULT_TOKEN");
    VaultSecretStore noToken(settings());
    auto missing = noToken.get(u"services/api"_s, u"X"_s);
    QCOMPARE(missing.error().code, ErrorCode::InvalidInput);
    QVERIFY(missing.error().message.contains(u"VAULT_TOKEN"_s));
}

void TestVault::concurrentWritersLoseNoKey()
{
    qputenv("VAULT_TOKEN", "root-token");
    constexpr int PerWriter = 15;
    QList<QThread *> writers;
    QStringList errors[2];
    for (int w = 0; w < 2; ++w) {
        writers.append(QThread::create([this, w, &errors] {
            VaultSecretStore store(settings());
            for (int i = 0; i < PerWriter; ++i) {
                auto put = store.put(u"services/busy"_s, u"W%1_%2"_s.arg(w).arg(i), u"v"_s);
                if (!put)
                    errors[w].append(put.error().message);
            }
        }));
        writers.last()->start();
    }
    for (QThread *t : writers) {
        QVERIFY(t->wait(60000));
        delete t;
    }
    QVERIFY2(errors[0].isEmpty() && errors[1].isEmpty(),
             qPrintable((errors[0] + errors[1]).join(u'\n')));
    VaultSecretStore store(settings());
    QCOMPARE(store.keys(u"services/busy"_s)->size(), 2 * PerWriter);
}

void TestVault::approleTokenIsRenewedAndReplaced()
{
    // Tokens live 2 s and at most 5 s: over 7 s of use the client renews, then logs in again.
    qunsetenv("VAULT_TOKEN");
    qputenv("VAULT_SECRET_ID", "not-the-s3cret-id");
    VaultSettings s = settings();
    s.roleId = u"deployer"_s;
    {
        VaultSecretStore wrong(s);
        auto refused = wrong.get(u"services/api"_s, u"DB_PASSWORD"_s);
        QVERIFY2(refused.error().message.contains(u"AppRole login refused for role deployer"_s),
                 qPrintable(refused.error().message));
        QVERIFY(!refused.error().message.contains(u"not-the-s3cret-id"_s));
    }
    qputenv("VAULT_TOKEN", "root-token");
    QVERIFY(VaultSecretStore(settings()).put(u"services/approle"_s, u"K"_s, u"v"_s));
    qunsetenv("VAULT_TOKEN");
    qputenv("VAULT_SECRET_ID", "s3cret-id");
    VaultSecretStore store(s);
    QElapsedTimer clock;
    clock.start();
    int reads = 0;
    while (clock.elapsed() < 7000) {
        auto value = store.get(u"services/approle"_s, u"K"_s);
        QVERIFY2(value, qPrintable(value ? QString() : value.error().message));
        ++reads;
        QTest::qWait(250);
    }
    qunsetenv("VAULT_SECRET_ID");
    QVERIFY2(store.client().renewals() >= 1,
             qPrintable(QString::number(store.client().renewals())));
    QVERIFY2(store.client().logins() >= 2, qPrintable(QString::number(store.client().logins())));
    QVERIFY(reads > 20);
}

void TestVault::wrongCaIsRefused()
{
    qputenv("VAULT_TOKEN", "root-token");
    VaultSettings s = settings();
    s.caFile.clear(); // only the system's CAs: the test CA is unknown
    VaultSecretStore store(s);
    auto refused = store.get(u"services/api"_s, u"DB_PASSWORD"_s);
    QCOMPARE(refused.error().code, ErrorCode::Unreachable);
    QVERIFY2(refused.error().message.contains(m_address), qPrintable(refused.error().message));
}

void TestVault::migrateAllFromHostsThenDeploy()
{
    const TestHosts hosts = TestHosts::fromEnvironment();
    if (hosts.size() < 2)
        QSKIP("needs root and the namespace test hosts (network namespaces, sshd)");
    TempRegistry temp;
    const QString base = hosts.dir() + u"/h1/base/migrate"_s;
    const QByteArray canary = "canary-vault-3c9d";
    QVERIFY(hosts.ssh(u"h1"_s,
                      u"mkdir -p %1 && printf '%2' > %1/web.env"_s.arg(
                          base, u"# web\\nexport WEB_TOKEN=\"%1\"\\nMODE=prod # trailing\\n"_s.arg(
                                    QString::fromLatin1(canary)))));
    QVERIFY(hosts.ssh(u"h2"_s, u"printf 'A=1\\nB=two\\n' > ~/portoser-migrate-api.env"_s));
    temp.write(u"src/web/index.html"_s, "web\n");
    const QString registryPath =
        temp.writeRegistry(hosts.registryFragment()
                           + "services:\n"
                             "  web:\n"
                             "    current_host: h1\n"
                             "    deployment_type: process\n"
                             "    source: src/web\n"
                             "    command: python3 -m http.server 18741 --bind 0.0.0.0\n"
                             "    port: 18741\n"
                             "    env_file: "
                           + base.toUtf8()
                           + "/web.env\n"
                             "    stop_timeout: 3\n"
                             "    health: {type: tcp, interval: 1, retries: 10}\n"
                             "  api:\n"
                             "    current_host: h2\n"
                             "    deployment_type: process\n"
                             "    env_file: ~/portoser-migrate-api.env # the api's settings\n"
                             "    command: sleep 1000\n");
    QFile registryFile(registryPath);
    QVERIFY(registryFile.open(QIODevice::ReadOnly));
    const QByteArray before = registryFile.readAll();
    registryFile.close();

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"HOME"_s, temp.path(u"home"_s));
    env.insert(u"PORTOSER_SECRETS_BACKEND"_s, u"vault"_s);
    env.insert(u"VAULT_ADDR"_s, m_address);
    env.insert(u"VAULT_CACERT"_s, vaultDir(u"ca.crt"_s));
    env.insert(u"VAULT_TOKEN"_s, u"root-token"_s);
    env.insert(u"VAULT_NAMESPACE"_s, u"migration"_s);
    auto cli = [&](const QStringList &args, int *code) -> QByteArray {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("PORTOSER_BINARY"),
                QStringList{u"--cli"_s, u"--registry"_s, registryPath} + args);
        p.waitForFinished(120000);
        *code = p.exitCode();
        return p.readAllStandardOutput() + p.readAllStandardError();
    };
    int code = -1;
    QByteArray out = cli({u"secrets"_s, u"migrate-all"_s, u"--dry-run"_s, u"--json"_s}, &code);
    QVERIFY2(code == 0, out.constData());
    const QJsonArray planned = QJsonDocument::fromJson(out).object()[u"services"_s].toArray();
    QCOMPARE(planned.size(), 2);
    QCOMPARE(planned[1][u"service"_s].toString(), u"web"_s);
    QCOMPARE(planned[1][u"written"_s].toArray(), (QJsonArray{u"MODE"_s, u"WEB_TOKEN"_s}));
    QVERIFY(!out.contains(canary));
    QVERIFY(registryFile.open(QIODevice::ReadOnly));
    QCOMPARE(registryFile.readAll(), before); // a dry run changes nothing
    registryFile.close();

    out = cli({u"secrets"_s, u"migrate-all"_s}, &code);
    QVERIFY2(code == 0, out.constData());
    QVERIFY(!out.contains(canary));
    VaultSettings s = settings(u"migration"_s);
    qputenv("VAULT_TOKEN", "root-token");
    VaultSecretStore vault(s);
    QCOMPARE(*vault.get(u"services/web"_s, u"WEB_TOKEN"_s), QString::fromLatin1(canary));
    QCOMPARE(*vault.get(u"services/web"_s, u"MODE"_s), u"prod"_s);
    QCOMPARE(*vault.get(u"services/api"_s, u"B"_s), u"two"_s);
    QVERIFY(registryFile.open(QIODevice::ReadOnly));
    const QByteArray after = registryFile.readAll();
    registryFile.close();
    QVERIFY2(!after.contains("env_file")
                 && after.contains("    secrets:\n      A: \"services/api#A\"\n"),
             after.constData());
    QVERIFY(!after.contains(canary));
    QVERIFY(hosts.ssh(u"h1"_s, u"test -f %1/web.env"_s.arg(base))); // the original stays

    // Idempotent: nothing new is written, the registry stays as it is.
    out = cli({u"secrets"_s, u"migrate-all"_s}, &code);
    QVERIFY2(code == 0, out.constData());
    QCOMPARE(vault.versions(u"services/web"_s, u"WEB_TOKEN"_s)->last().version, 1);
    QVERIFY(registryFile.open(QIODevice::ReadOnly));
    QCOMPARE(registryFile.readAll(), after);
    registryFile.close();

    // The migrated secret reaches the web's env file on h1 at deploy, and nothing else.
    out = cli({u"deploy"_s, u"web"_s}, &code);
    QVERIFY2(code == 0, out.constData());
    QVERIFY(!out.contains(canary));
    const auto rendered =
        hosts.ssh(u"h1"_s, u"cat %1/.portoser/web/env"_s.arg(hosts.dir() + u"/h1/base"_s));
    QVERIFY(rendered && rendered->contains(QByteArray("WEB_TOKEN=" + canary)));
    cli({u"stop"_s, u"web"_s}, &code);
}

QTEST_GUILESS_MAIN(TestVault)
#include "TestVault.moc"
