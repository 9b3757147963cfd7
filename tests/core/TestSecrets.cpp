// SPDX-License-Identifier: Apache-2.0
// The encrypted local secrets store: round trips, wrong passphrase, tampering, versions,
// atomic writes with the previous file kept, and concurrent writers losing nothing.
#include "core/secrets/LocalSecretStore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Portoser;
using namespace Qt::Literals::StringLiterals;

class TestSecrets : public QObject
{
    Q_OBJECT

private slots:
    void init() { m_dir = std::make_unique<QTemporaryDir>(); }
    void roundTripWithoutPlaintextOnDisk();
    void wrongPassphraseIsAnErrorNotAnEmptyStore();
    void alteredFileIsRefused_data();
    void alteredFileIsRefused();
    void versionsDeleteAndRollback();
    void previousFileIsKept();
    void concurrentWritersLoseNothing();
    void cliTakesValuesFromStdinAndShowsThemOnlyWhenAsked();
    void deployInjectsSecretsOnlyIntoTheEnvFile();

private:
    QString file() const { return m_dir->filePath(u"secrets.enc"_s); }
    std::unique_ptr<LocalSecretStore> open(const QByteArray &passphrase = "correct horse")
    {
        auto store = LocalSecretStore::open(file(), passphrase);
        return store ? std::move(*store) : nullptr;
    }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestSecrets::roundTripWithoutPlaintextOnDisk()
{
    auto store = open();
    QVERIFY(store);
    QVERIFY(store->paths()->isEmpty());
    QCOMPARE(*store->put(u"services/api"_s, u"DB_PASSWORD"_s, u"canary-7f3a"_s), 1);
    QCOMPARE(*store->put(u"services/api"_s, u"API_KEY"_s, u"k-123"_s), 1);
    QCOMPARE(*store->put(u"services/web"_s, u"TOKEN"_s, u"t"_s), 1);

    auto again = open();
    QVERIFY(again);
    QCOMPARE(*again->paths(u"services/"_s), (QStringList{u"services/api"_s, u"services/web"_s}));
    QCOMPARE(*again->keys(u"services/api"_s), (QStringList{u"API_KEY"_s, u"DB_PASSWORD"_s}));
    QCOMPARE(*again->get(u"services/api"_s, u"DB_PASSWORD"_s), u"canary-7f3a"_s);

    QFile raw(file());
    QVERIFY(raw.open(QIODevice::ReadOnly));
    const QByteArray bytes = raw.readAll();
    QVERIFY(!bytes.contains("canary-7f3a") && !bytes.contains("DB_PASSWORD"));
    QCOMPARE(QFile::permissions(file()) & ~(QFile::ReadUser | QFile::WriteUser),
             QFile::ReadOwner | QFile::WriteOwner);
    QCOMPARE(store->put(u"bad#path"_s, u"K"_s, u"v"_s).error().code, ErrorCode::InvalidInput);
}

void TestSecrets::wrongPassphraseIsAnErrorNotAnEmptyStore()
{
    QVERIFY(open()->put(u"p"_s, u"K"_s, u"v"_s));
    QFile raw(file());
    QVERIFY(raw.open(QIODevice::ReadOnly));
    const QByteArray before = raw.readAll();
    auto wrong = LocalSecretStore::open(file(), "wrong horse");
    QVERIFY(!wrong);
    QCOMPARE(wrong.error().code, ErrorCode::PermissionDenied);
    QVERIFY(wrong.error().message.contains(u"wrong passphrase"_s));
    QVERIFY(!LocalSecretStore::open(file(), {}));
    raw.seek(0);
    QCOMPARE(raw.readAll(), before); // untouched
}

void TestSecrets::alteredFileIsRefused_data()
{
    QTest::addColumn<QString>("what");
    QTest::newRow("ciphertext byte") << u"ciphertext"_s;
    QTest::newRow("header nonce") << u"nonce"_s;
    QTest::newRow("header cipher name") << u"cipher"_s;
    QTest::newRow("format") << u"format"_s;
}

void TestSecrets::alteredFileIsRefused()
{
    QFETCH(QString, what);
    QVERIFY(open()->put(u"p"_s, u"K"_s, u"v"_s));
    QFile raw(file());
    QVERIFY(raw.open(QIODevice::ReadOnly));
    QJsonObject doc = QJsonDocument::fromJson(raw.readAll()).object();
    raw.close();
    QJsonObject header = doc.value(u"header"_s).toObject();
    if (what == u"ciphertext") {
        QByteArray c = QByteArray::fromBase64(doc.value(u"ciphertext"_s).toString().toLatin1());
        c[3] = char(c[3] ^ 0x01);
        doc.insert(u"ciphertext"_s, QString::fromLatin1(c.toBase64()));
    } else if (what == u"nonce") {
        QByteArray n = QByteArray::fromBase64(header.value(u"nonce"_s).toString().toLatin1());
        n[0] = char(n[0] ^ 0x01);
        header.insert(u"nonce"_s, QString::fromLatin1(n.toBase64()));
    } else if (what == u"cipher") {
        header.insert(u"cipher"_s, u"AES-128-GCM"_s);
    } else {
        header.insert(u"format"_s, u"portoser-secrets/9"_s);
    }
    doc.insert(u"header"_s, header);
    QVERIFY(raw.open(QIODevice::WriteOnly | QIODevice::Truncate));
    raw.write(QJsonDocument(doc).toJson());
    raw.close();
    auto store = LocalSecretStore::open(file(), "correct horse");
    QVERIFY2(!store, "an altered file must not open");
}

void TestSecrets::versionsDeleteAndRollback()
{
    auto store = open();
    for (const QString &v : {u"one"_s, u"two"_s, u"three"_s})
        QVERIFY(store->put(u"services/api"_s, u"PW"_s, v));
    QCOMPARE(store->versions(u"services/api"_s, u"PW"_s)->size(), 3);
    QCOMPARE(*store->get(u"services/api"_s, u"PW"_s, 1), u"one"_s);
    QCOMPARE(*store->rollback(u"services/api"_s, u"PW"_s, 1), 4);
    QCOMPARE(*store->get(u"services/api"_s, u"PW"_s), u"one"_s);

    QVERIFY(store->remove(u"services/api"_s, u"PW"_s));
    QCOMPARE(store->get(u"services/api"_s, u"PW"_s).error().code, ErrorCode::NotFound);
    QVERIFY(store->keys(u"services/api"_s)->isEmpty());
    QVERIFY(store->versions(u"services/api"_s, u"PW"_s)->last().deleted);
    QCOMPARE(store->remove(u"services/api"_s, u"PW"_s).error().code, ErrorCode::NotFound);
    QVERIFY(store->rollback(u"services/api"_s, u"PW"_s, 2)); // a deleted key comes back
    QCOMPARE(*store->get(u"services/api"_s, u"PW"_s), u"two"_s);

    for (int i = 0; i < 15; ++i)
        QVERIFY(store->put(u"p"_s, u"K"_s, QString::number(i)));
    QCOMPARE(store->versions(u"p"_s, u"K"_s)->size(), LocalSecretStore::KeepVersions);
    QCOMPARE(store->versions(u"p"_s, u"K"_s)->last().version, 15);
}

void TestSecrets::previousFileIsKept()
{
    auto store = open();
    QVERIFY(store->put(u"p"_s, u"K"_s, u"first"_s));
    QVERIFY(store->put(u"p"_s, u"K"_s, u"second"_s));
    QFile::remove(file());
    QVERIFY(QFile::copy(file() + u".bak"_s, file()));
    auto previous = open();
    QVERIFY(previous);
    QCOMPARE(*previous->get(u"p"_s, u"K"_s), u"first"_s);
}

void TestSecrets::concurrentWritersLoseNothing()
{
    QVERIFY(open()->put(u"p"_s, u"seed"_s, u"0"_s)); // the file and its salt exist
    auto writer = [this](const QString &who) {
        return QThread::create([this, who] {
            auto store = LocalSecretStore::open(file(), "correct horse");
            for (int i = 0; i < 10; ++i)
                QVERIFY((*store)->put(u"p"_s, who + QString::number(i), u"x"_s));
        });
    };
    std::unique_ptr<QThread> a(writer(u"a"_s)), b(writer(u"b"_s));
    a->start();
    b->start();
    QVERIFY(a->wait(120000) && b->wait(120000));
    QCOMPARE(open()->keys(u"p"_s)->size(), 21);
}

void TestSecrets::cliTakesValuesFromStdinAndShowsThemOnlyWhenAsked()
{
    auto cli = [this](const QStringList &args, const QByteArray &passphrase, const QByteArray &in,
                      int *code) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, m_dir->path());
        env.insert(u"PORTOSER_SECRETS_PASSPHRASE"_s, QString::fromLatin1(passphrase));
        p.setProcessEnvironment(env);
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(qEnvironmentVariable("PORTOSER_BINARY"),
                QStringList{u"--cli"_s, u"secrets"_s} + args);
        p.write(in);
        p.closeWriteChannel();
        p.waitForFinished(30000);
        *code = p.exitCode();
        return QString::fromUtf8(p.readAll());
    };
    int code = -1;
    QString out = cli({u"put"_s, u"services/api"_s, u"DB_PASSWORD"_s}, "pw", "canary-91b\n", &code);
    QCOMPARE(code, 0);
    QVERIFY2(!out.contains(u"canary-91b"_s), qPrintable(out));
    out = cli({u"get"_s, u"services/api#DB_PASSWORD"_s}, "pw", {}, &code);
    QCOMPARE(code, 0);
    QVERIFY2(out.contains(u"set (version 1)"_s) && !out.contains(u"canary-91b"_s), qPrintable(out));
    out = cli({u"get"_s, u"services/api#DB_PASSWORD"_s, u"--reveal"_s}, "pw", {}, &code);
    QCOMPARE(out.trimmed(), u"canary-91b"_s);
    out = cli({u"list"_s, u"--json"_s}, "pw", {}, &code);
    QVERIFY(out.contains(u"DB_PASSWORD"_s) && !out.contains(u"canary-91b"_s));
    out = cli({u"list"_s}, "not-it", {}, &code);
    QCOMPARE(code, 1);
    QVERIFY2(out.contains(u"wrong passphrase"_s), qPrintable(out));
    out = cli({u"get"_s, u"no-hash-here"_s}, "pw", {}, &code);
    QCOMPARE(code, 2);
}

void TestSecrets::deployInjectsSecretsOnlyIntoTheEnvFile()
{
    // The demo (local transport) with one secret for its api.
    const QString demo = m_dir->filePath(u"demo"_s);
    QProcess copy;
    copy.start(u"cp"_s,
               {u"-r"_s, qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/examples/demo"_s, demo});
    QVERIFY(copy.waitForFinished() && copy.exitCode() == 0);
    QFile registry(demo + u"/registry.yml"_s);
    QVERIFY(registry.open(QIODevice::ReadOnly));
    QByteArray yaml = registry.readAll();
    registry.close();
    QVERIFY(yaml.contains("  api:\n    current_host: beta\n"));
    yaml.replace("  api:\n    current_host: beta\n",
                 "  api:\n    current_host: beta\n    secrets:\n      API_SECRET: "
                 "services/api#API_SECRET\n");
    QVERIFY(registry.open(QIODevice::WriteOnly | QIODevice::Truncate));
    registry.write(yaml);
    registry.close();

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"HOME"_s, m_dir->path());
    env.insert(u"PORTOSER_SECRETS_PASSPHRASE"_s, u"pw"_s);
    env.insert(u"PORTOSER_DEMO_HOME"_s, m_dir->filePath(u"hosts"_s));
    env.insert(u"PORTOSER_DEMO_SITE_PORT"_s, u"18721"_s);
    env.insert(u"PORTOSER_DEMO_API_PORT"_s, u"18722"_s);
    auto cli = [&](const QStringList &args, const QByteArray &in, int *code) {
        QProcess p;
        p.setProcessEnvironment(env);
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(qEnvironmentVariable("PORTOSER_BINARY"),
                QStringList{u"--cli"_s, u"--registry"_s, demo + u"/registry.yml"_s} + args);
        p.write(in);
        p.closeWriteChannel();
        p.waitForFinished(120000);
        *code = p.exitCode();
        return p.readAll();
    };
    int code = -1;
    // Not in the store yet: the deploy refuses, naming the reference and not starting the api.
    QByteArray out = cli({u"deploy"_s, u"api"_s}, {}, &code);
    QCOMPARE(code, 1);
    QVERIFY2(out.contains(
                 "secret API_SECRET (services/api#API_SECRET): no secret services/api#API_SECRET"),
             out.constData());

    const QByteArray canary = "canary-5e1f-not-for-logs";
    cli({u"secrets"_s, u"put"_s, u"services/api"_s, u"API_SECRET"_s}, canary + '\n', &code);
    QCOMPARE(code, 0);
    out = cli({u"deploy"_s, u"api"_s}, {}, &code);
    QCOMPARE(code, 0);
    QVERIFY2(!out.contains(canary), out.constData());

    // On the host: in the env file, mode 0600, and nowhere else under the service's directory.
    QStringList holders;
    QProcess grep;
    grep.start(u"grep"_s, {u"-rl"_s, QString::fromLatin1(canary), m_dir->filePath(u"hosts"_s)});
    grep.waitForFinished();
    for (const QByteArray &line : grep.readAll().split('\n')) {
        if (!line.isEmpty())
            holders.append(QString::fromLocal8Bit(line));
    }
    QCOMPARE(holders.size(), 1);
    QVERIFY2(holders.first().endsWith(u"/env"_s), qPrintable(holders.first()));
    QCOMPARE(QFile::permissions(holders.first()) & ~(QFile::ReadUser | QFile::WriteUser),
             QFile::ReadOwner | QFile::WriteOwner);

    // Not in history, status or logs either.
    for (const QStringList &read :
         {QStringList{u"history"_s, u"list"_s, u"--json"_s},
          QStringList{u"history"_s, u"show"_s, u"1"_s, u"--json"_s},
          QStringList{u"history"_s, u"show"_s, u"2"_s, u"--json"_s},
          QStringList{u"status"_s, u"--json"_s}, QStringList{u"logs"_s, u"api"_s}}) {
        out = cli(read, {}, &code);
        QVERIFY2(!out.contains(canary), qPrintable(read.join(u' ')));
    }
    QFile db(m_dir->filePath(u".portoser/portoser.db"_s));
    QVERIFY(db.open(QIODevice::ReadOnly));
    QVERIFY(!db.readAll().contains(canary));

    // Rotation: a new value marks exactly the api; --changed-secrets redeploys it, then nothing.
    out = cli({u"deploy"_s, u"--changed-secrets"_s}, {}, &code);
    QVERIFY2(code == 0 && out.contains("no service uses a secret that changed"), out.constData());
    const QByteArray rotated = "canary-77aa-rotated";
    cli({u"secrets"_s, u"put"_s, u"services/api"_s, u"API_SECRET"_s}, rotated + '\n', &code);
    QCOMPARE(code, 0);
    out = cli({u"deploy"_s, u"--dry-run"_s, u"--json"_s}, {}, &code);
    const QJsonArray planned = QJsonDocument::fromJson(out).object().value(u"services"_s).toArray();
    QString apiAction;
    for (const QJsonValue &p : planned) {
        if (p[u"service"_s].toString() == u"api"_s)
            apiAction = p[u"action"_s].toString();
    }
    QCOMPARE(apiAction, u"restart"_s); // the release is the same; its secret is not
    QVERIFY2(out.contains("secret_versions.API_SECRET"), out.constData());
    QVERIFY(!out.contains(rotated));
    out = cli({u"deploy"_s, u"--changed-secrets"_s}, {}, &code);
    QVERIFY2(code == 0 && out.contains("secrets changed for: api\n"), out.constData());
    QVERIFY(!out.contains(rotated));
    QFile envFile(holders.first());
    QVERIFY(envFile.open(QIODevice::ReadOnly));
    const QByteArray rendered = envFile.readAll();
    QVERIFY(rendered.contains(rotated) && !rendered.contains(canary));
    out = cli({u"deploy"_s, u"--changed-secrets"_s}, {}, &code);
    QVERIFY2(code == 0 && out.contains("no service uses a secret that changed"), out.constData());
    cli({u"stop"_s, u"api"_s}, {}, &code);
}

QTEST_GUILESS_MAIN(TestSecrets)
#include "TestSecrets.moc"
