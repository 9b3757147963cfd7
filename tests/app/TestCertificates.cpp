// SPDX-License-Identifier: Apache-2.0
// The internal CA through the real binary, checked by an independent implementation (the openssl
// command): `openssl verify`, the extensions as openssl reads them, key modes, expiry checks, and
// a TLS handshake that requires a client certificate (openssl s_server / s_client).
#include <QFile>
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

private:
    QString home(const QString &rest = {}) const { return m_dir->filePath(u"home"_s + rest); }
    /** `portoser --cli ARGS` with the demo registry and this test's PORTOSER_HOME. */
    QByteArray cli(const QStringList &args, int *code = nullptr) const;
    static QByteArray openssl(const QStringList &args, int *code = nullptr);

    std::unique_ptr<QTemporaryDir> m_dir;
};

QByteArray TestCertificates::cli(const QStringList &args, int *code) const
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PORTOSER_HOME"_s, home());
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(
        qEnvironmentVariable("PORTOSER_BINARY"),
        QStringList{u"--cli"_s, u"--registry"_s,
                    qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/examples/demo/registry.yml"_s}
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
    const QString server = home(u"/certs/api/server.crt"_s);
    const QString client = home(u"/certs/site/client.crt"_s);
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
    for (const QString &key : {home(u"/ca/ca.key"_s), home(u"/certs/api/server.key"_s),
                               home(u"/certs/site/client.key"_s)})
        QCOMPARE(QFile::permissions(key) & ~(QFile::ReadUser | QFile::WriteUser),
                 QFile::ReadOwner | QFile::WriteOwner);
    // The key belongs to the certificate.
    QCOMPARE(openssl({u"x509"_s, u"-in"_s, server, u"-noout"_s, u"-pubkey"_s}),
             openssl({u"pkey"_s, u"-in"_s, home(u"/certs/api/server.key"_s), u"-pubout"_s}));
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
    QVERIFY(out.contains("no service nope"));
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
    server.start(u"openssl"_s,
                 {u"s_server"_s, u"-accept"_s, u"127.0.0.1:"_s + port, u"-cert"_s,
                  home(u"/certs/api/server.crt"_s), u"-key"_s, home(u"/certs/api/server.key"_s),
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
    const QByteArray withCert = connect({u"-cert"_s, home(u"/certs/site/client.crt"_s), u"-key"_s,
                                         home(u"/certs/site/client.key"_s)});
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
    out = openssl(
        {u"verify"_s, u"-CAfile"_s, home(u"/ca/ca.crt"_s), home(u"/certs/api/server.crt"_s)},
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
    QCOMPARE(files, QStringList{home(u"/certs/api/server.key"_s)});
    qunsetenv("PORTOSER_SECRETS_PASSPHRASE");
}

QTEST_GUILESS_MAIN(TestCertificates)
#include "TestCertificates.moc"
