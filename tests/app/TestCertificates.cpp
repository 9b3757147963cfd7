// SPDX-License-Identifier: Apache-2.0
// The internal CA through the real binary, checked by an independent implementation (the openssl
// command): `openssl verify`, the extensions as openssl reads them, key modes, expiry checks, and
// a TLS handshake that requires a client certificate (openssl s_server / s_client); certificates
// kept per registry, the old flat layout used only where its names fit, a mismatch refused.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

class TestCertificates : public QObject
{
    Q_OBJECT

private slots:
    void init() { m_dir = std::make_unique<QTemporaryDir>(); }
    void initCaAndIssue_data();
    void initCaAndIssue();
    void existingCaIsKeptAndExpiryIsChecked();
    void mutualTlsHandshake();
    void caKeyKeptInSecretsStore();
    void keptPerRegistry();

private:
    QString home(const QString &rest = {}) const { return m_dir->filePath(u"home"_s + rest); }
    /** The demo registry's certificates (its domain is demo.internal). */
    QString demo(const QString &rest) const { return home(u"/certs/demo.internal"_s + rest); }
    /** `portoser --cli ARGS` with `registry` (the demo's when empty) and this test's
     *  PORTOSER_HOME. */
    QByteArray cli(const QStringList &args, int *code = nullptr,
                   const QString &registry = {}) const;
    static QByteArray openssl(const QStringList &args, int *code = nullptr);
    /** A registry of one host and an `api` named `hostname`, with `domain` when not empty, and
     *  a caddy section whose admin API nothing answers. */
    QString writeRegistry(const QString &name, const QByteArray &domain, const QByteArray &hostname,
                          const QByteArray &ip) const;
    /** The certificates directory of a registry without a domain (docs/tls.md). */
    QString byPath(const QString &registry) const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

QByteArray TestCertificates::cli(const QStringList &args, int *code, const QString &registry) const
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PORTOSER_HOME"_s, home());
    // The secrets store does not follow PORTOSER_HOME: keep it in the scratch home too, never
    // in the real ~/.portoser.
    env.insert(u"PORTOSER_SECRETS_FILE"_s, home() + u"/secrets.enc"_s);
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(qEnvironmentVariable("PORTOSER_BINARY"),
            QStringList{u"--cli"_s, u"--registry"_s,
                        registry.isEmpty() ? qEnvironmentVariable("PORTOSER_SOURCE_DIR")
                                                 + u"/examples/demo/registry.yml"_s
                                           : registry}
                + args);
    p.waitForFinished(60000);
    if (code)
        *code = p.exitCode();
    return p.readAll();
}

QByteArray TestCertificates::openssl(const QStringList &args, int *code)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(u"openssl"_s, args);
    p.waitForFinished(30000);
    if (code)
        *code = p.exitCode();
    return p.readAll();
}

void TestCertificates::initCaAndIssue_data()
{
    QTest::addColumn<QStringList>("keyOption");
    QTest::addColumn<QByteArray>("keyText");
    QTest::newRow("EC P-256") << QStringList() << QByteArray("ASN1 OID: prime256v1");
    QTest::newRow("RSA 3072") << QStringList{u"--rsa"_s, u"3072"_s}
                              << QByteArray("Public-Key: (3072 bit)");
}

void TestCertificates::initCaAndIssue()
{
    QFETCH(QStringList, keyOption);
    QFETCH(QByteArray, keyText);
    int code = -1;
    QByteArray out = cli(QStringList{u"certs"_s, u"init-ca"_s} + keyOption, &code);
    QVERIFY2(code == 0, out.constData());
    out = cli(QStringList{u"certs"_s, u"issue"_s, u"api"_s} + keyOption, &code);
    QVERIFY2(code == 0, out.constData());
    out = cli({u"certs"_s, u"issue"_s, u"site"_s, u"--client"_s}, &code);
    QVERIFY2(code == 0, out.constData());

    const QString ca = home(u"/ca/ca.crt"_s);
    const QString server = demo(u"/api/server.crt"_s);
    const QString client = demo(u"/site/client.crt"_s);
    out = openssl({u"verify"_s, u"-CAfile"_s, ca, server, client}, &code);
    QVERIFY2(code == 0, out.constData());
    // The verify above checks purpose too when asked: the server cert is for servers only.
    QCOMPARE(
        (openssl({u"verify"_s, u"-CAfile"_s, ca, u"-purpose"_s, u"sslserver"_s, server}, &code),
         code),
        0);
    openssl({u"verify"_s, u"-CAfile"_s, ca, u"-purpose"_s, u"sslserver"_s, client}, &code);
    QVERIFY(code != 0);

    const QByteArray text = openssl({u"x509"_s, u"-in"_s, server, u"-noout"_s, u"-text"_s});
    QVERIFY2(text.contains("DNS:api.demo.internal, DNS:api, DNS:beta, IP Address:127.0.0.1"),
             text.constData());
    QVERIFY(text.contains("TLS Web Server Authentication"));
    QVERIFY(text.contains("CA:FALSE"));
    QVERIFY2(text.contains(keyText), text.constData());
    const QByteArray caText = openssl({u"x509"_s, u"-in"_s, ca, u"-noout"_s, u"-text"_s});
    QVERIFY(caText.contains("CA:TRUE"));
    QVERIFY(caText.contains("Certificate Sign"));
    QVERIFY(openssl({u"x509"_s, u"-in"_s, client, u"-noout"_s, u"-text"_s})
                .contains("TLS Web Client Authentication"));
    for (const QString &key :
         {home(u"/ca/ca.key"_s), demo(u"/api/server.key"_s), demo(u"/site/client.key"_s)})
        QCOMPARE(QFile::permissions(key) & ~(QFile::ReadUser | QFile::WriteUser),
                 QFile::ReadOwner | QFile::WriteOwner);
    // The key belongs to the certificate.
    QCOMPARE(openssl({u"x509"_s, u"-in"_s, server, u"-noout"_s, u"-pubkey"_s}),
             openssl({u"pkey"_s, u"-in"_s, demo(u"/api/server.key"_s), u"-pubout"_s}));

    // Renewing keeps the names, the usage and the key type, with a new key and serial.
    const QByteArray serialBefore =
        openssl({u"x509"_s, u"-in"_s, server, u"-noout"_s, u"-serial"_s});
    out = cli({u"certs"_s, u"renew"_s, u"--days"_s, u"400"_s}, &code);
    QVERIFY2(code == 0 && out.contains("renewed until"), out.constData());
    const QByteArray renewed = openssl({u"x509"_s, u"-in"_s, server, u"-noout"_s, u"-text"_s});
    QVERIFY2(renewed.contains("DNS:api.demo.internal, DNS:api, DNS:beta, IP Address:127.0.0.1"),
             renewed.constData());
    QVERIFY2(renewed.contains(keyText), renewed.constData());
    QVERIFY(openssl({u"x509"_s, u"-in"_s, server, u"-noout"_s, u"-serial"_s}) != serialBefore);
    out = openssl({u"verify"_s, u"-CAfile"_s, ca, server}, &code);
    QVERIFY2(code == 0, out.constData());
}

void TestCertificates::existingCaIsKeptAndExpiryIsChecked()
{
    int code = -1;
    cli({u"certs"_s, u"init-ca"_s}, &code);
    QCOMPARE(code, 0);
    const QByteArray before =
        openssl({u"x509"_s, u"-in"_s, home(u"/ca/ca.crt"_s), u"-noout"_s, u"-fingerprint"_s});
    QByteArray out = cli({u"certs"_s, u"init-ca"_s}, &code);
    QCOMPARE(code, 1);
    QVERIFY2(out.contains("already exists") && out.contains("--force"), out.constData());
    QCOMPARE(openssl({u"x509"_s, u"-in"_s, home(u"/ca/ca.crt"_s), u"-noout"_s, u"-fingerprint"_s}),
             before);

    cli({u"certs"_s, u"issue"_s, u"api"_s, u"--days"_s, u"10"_s}, &code);
    QCOMPARE(code, 0);
    out = cli({u"certs"_s, u"check"_s}, &code); // within 30 days
    QCOMPARE(code, 1);
    QVERIFY2(out.contains("1 certificate(s) expire within 30 days"), out.constData());
    cli({u"certs"_s, u"check"_s, u"--days"_s, u"5"_s}, &code);
    QCOMPARE(code, 0);
    out = cli({u"certs"_s, u"list"_s, u"--json"_s}, &code);
    QVERIFY2(out.contains("\"days_left\": 9") || out.contains("\"days_left\": 10"),
             out.constData());

    out = cli({u"certs"_s, u"issue"_s, u"nope"_s}, &code);
    QCOMPARE(code, 2);
    QVERIFY(out.contains("no service named \"nope\""));
}

void TestCertificates::mutualTlsHandshake()
{
    int code = -1;
    cli({u"certs"_s, u"init-ca"_s}, &code);
    cli({u"certs"_s, u"issue"_s, u"api"_s}, &code);
    cli({u"certs"_s, u"issue"_s, u"site"_s, u"--client"_s}, &code);
    QCOMPARE(code, 0);
    QTcpServer probe; // a free port
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const QString port = QString::number(probe.serverPort());
    probe.close();
    QProcess server;
    server.setProcessChannelMode(QProcess::MergedChannels);
    server.start(u"openssl"_s, {u"s_server"_s, u"-accept"_s, u"127.0.0.1:"_s + port, u"-cert"_s,
                                demo(u"/api/server.crt"_s), u"-key"_s, demo(u"/api/server.key"_s),
                                u"-CAfile"_s, home(u"/ca/ca.crt"_s), u"-Verify"_s, u"1"_s,
                                u"-verify_return_error"_s, u"-www"_s});
    QVERIFY(server.waitForStarted());
    const auto listening = [&] {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, quint16(port.toInt()));
        return socket.waitForConnected(200);
    };
    QTRY_VERIFY_WITH_TIMEOUT(listening(), 10000);
    const auto connect = [&](const QStringList &extra) {
        QProcess client;
        client.setProcessChannelMode(QProcess::MergedChannels);
        client.start(u"openssl"_s,
                     QStringList{u"s_client"_s, u"-connect"_s, u"127.0.0.1:"_s + port,
                                 u"-servername"_s, u"api.demo.internal"_s, u"-verify_hostname"_s,
                                 u"api.demo.internal"_s, u"-CAfile"_s, home(u"/ca/ca.crt"_s),
                                 u"-verify_return_error"_s, u"-ign_eof"_s}
                         + extra);
        client.write("GET / HTTP/1.0\r\n\r\n");
        client.closeWriteChannel();
        client.waitForFinished(15000);
        return client.readAll();
    };
    const QByteArray withCert =
        connect({u"-cert"_s, demo(u"/site/client.crt"_s), u"-key"_s, demo(u"/site/client.key"_s)});
    QVERIFY2(withCert.contains("Verify return code: 0 (ok)"), withCert.constData());
    QVERIFY2(withCert.contains("HTTP/1.0 200 ok"), withCert.constData());
    const QByteArray without = connect({});
    QVERIFY2(!without.contains("HTTP/1.0 200 ok"), without.constData());
    QVERIFY2(without.contains("certificate required"), without.constData()); // no client cert
    server.kill();
    server.waitForFinished();
}

void TestCertificates::caKeyKeptInSecretsStore()
{
    qputenv("PORTOSER_SECRETS_PASSPHRASE", "a passphrase for this test");
    int code = -1;
    QByteArray out = cli({u"certs"_s, u"init-ca"_s, u"--key-in-secrets"_s}, &code);
    QVERIFY2(code == 0 && out.contains("local:portoser/ca#key"), out.constData());
    QVERIFY(!QFile::exists(home(u"/ca/ca.key"_s)));       // no key on disk...
    out = cli({u"certs"_s, u"issue"_s, u"api"_s}, &code); // ...yet it signs
    QVERIFY2(code == 0, out.constData());
    out = openssl({u"verify"_s, u"-CAfile"_s, home(u"/ca/ca.crt"_s), demo(u"/api/server.crt"_s)},
                  &code);
    QVERIFY2(code == 0, out.constData());
    out = cli({u"secrets"_s, u"get"_s, u"portoser/ca#key"_s, u"--reveal"_s}, &code);
    QVERIFY2(code == 0 && out.contains("PRIVATE KEY"), out.constData());
    // The store holds it encrypted: no PEM in any file under the home but the issued keys.
    QProcess grep;
    grep.start(u"grep"_s, {u"-rl"_s, u"PRIVATE KEY"_s, home()});
    grep.waitForFinished();
    const QStringList files =
        QString::fromUtf8(grep.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(files, QStringList{demo(u"/api/server.key"_s)});
    qunsetenv("PORTOSER_SECRETS_PASSPHRASE");
}

QString TestCertificates::writeRegistry(const QString &name, const QByteArray &domain,
                                        const QByteArray &hostname, const QByteArray &ip) const
{
    const QString path = m_dir->filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write((domain.isEmpty() ? QByteArray() : "domain: " + domain + "\n")
               + "caddy:\n  admin_endpoint: http://127.0.0.1:9\n"
                 "hosts:\n  node:\n    ip: "
               + ip
               + "\n    path: /srv/portoser\n"
                 "services:\n  api:\n    current_host: node\n    deployment_type: process\n"
                 "    command: sleep 60\n    port: 8443\n    hostname: "
               + hostname + "\n");
    return path;
}

QString TestCertificates::byPath(const QString &registry) const
{
    return home(u"/certs/registry-"_s)
           + QString::fromLatin1(
               QCryptographicHash::hash(QFileInfo(registry).canonicalFilePath().toUtf8(),
                                        QCryptographicHash::Sha256)
                   .toHex()
                   .left(12));
}

void TestCertificates::keptPerRegistry()
{
    // Two clusters, each with an `api`: A has no domain (its file's path names its directory),
    // B has one. Each gets a certificate of its own; neither replaces the other's.
    int code = -1;
    QByteArray out = cli({u"certs"_s, u"init-ca"_s}, &code);
    QVERIFY2(code == 0, out.constData());
    const QString a = writeRegistry(u"a.yml"_s, {}, "api.a.test", "10.1.0.1");
    const QString b = writeRegistry(u"b.yml"_s, "b.test", "api.b.test", "10.2.0.1");
    out = cli({u"certs"_s, u"issue"_s, u"api"_s}, &code, a);
    const QString aCert = byPath(a) + u"/api/server.crt"_s;
    QVERIFY2(code == 0 && out.contains(aCert.toUtf8()), out.constData());
    out = cli({u"certs"_s, u"issue"_s, u"api"_s}, &code, b);
    const QString bCert = home(u"/certs/b.test/api/server.crt"_s);
    QVERIFY2(code == 0 && out.contains(bCert.toUtf8()), out.constData());
    const auto names = [](const QString &cert) {
        return openssl({u"x509"_s, u"-in"_s, cert, u"-noout"_s, u"-ext"_s, u"subjectAltName"_s});
    };
    QVERIFY2(names(aCert).contains("DNS:api.a.test") && !names(aCert).contains("api.b.test"),
             names(aCert).constData());
    QVERIFY2(names(bCert).contains("DNS:api.b.test"), names(bCert).constData());

    // The same file through a symlink is the same registry.
    const QString link = m_dir->filePath(u"link.yml"_s);
    QVERIFY(QFile::link(a, link));
    const auto listed = [this](const QString &registry) {
        QMap<QString, QJsonObject> byFile;
        const QByteArray json = cli({u"certs"_s, u"list"_s, u"--json"_s}, nullptr, registry);
        for (const QJsonValue &v : QJsonDocument::fromJson(json).array())
            byFile.insert(v[u"file"_s].toString(), v.toObject());
        return byFile;
    };
    QCOMPARE(listed(link).value(aCert).value(u"route"_s).toString(), u"ok"_s);

    // A's certificate in the old flat layout (certs/api/): A still uses it, since it names all
    // that A's api needs; B, whose api has other names, ignores it and keeps its own.
    const QString legacy = home(u"/certs/api"_s);
    QVERIFY(QDir().rename(byPath(a) + u"/api"_s, legacy));
    const QString legacyCert = legacy + u"/server.crt"_s;
    QJsonObject seen = listed(a).value(legacyCert);
    QVERIFY(seen.value(u"legacy"_s).toBool());
    QCOMPARE(seen.value(u"route"_s).toString(), u"legacy-used"_s);
    QCOMPARE(listed(b).value(legacyCert).value(u"route"_s).toString(), u"legacy-ignored"_s);
    QCOMPARE(listed(b).value(bCert).value(u"route"_s).toString(), u"ok"_s);
    out = cli({u"certs"_s, u"check"_s}, &code, a);
    QVERIFY2(code == 0, out.constData());

    // B's api gets another hostname; its certificate does not name it: check says so, and the
    // proxy refuses it before Caddy is even asked (nothing answers on its admin port).
    writeRegistry(u"b.yml"_s, "b.test", "api2.b.test", "10.2.0.1");
    out = cli({u"certs"_s, u"check"_s}, &code, b);
    QVERIFY2(code == 1 && out.contains("mismatch") && out.contains(bCert.toUtf8())
                 && out.contains("DNS:api.b.test") && out.contains("api2.b.test"),
             out.constData());
    QCOMPARE(listed(b).value(bCert).value(u"route"_s).toString(), u"mismatch"_s);
    out = cli({u"proxy"_s, u"plan"_s}, &code, b);
    QVERIFY2(code == 1 && out.contains("service api (route portoser-api)")
                 && out.contains(bCert.toUtf8()) && out.contains("DNS:api.b.test")
                 && out.contains("but the route serves api2.b.test")
                 && out.contains("Nothing was sent to Caddy"),
             out.constData());
    // Issued again, it names the new hostname and the refusal is gone.
    out = cli({u"certs"_s, u"issue"_s, u"api"_s}, &code, b);
    QVERIFY2(code == 0, out.constData());
    out = cli({u"certs"_s, u"check"_s}, &code, b);
    QVERIFY2(code == 0, out.constData());
}

QTEST_GUILESS_MAIN(TestCertificates)
#include "TestCertificates.moc"
