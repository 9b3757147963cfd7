// SPDX-License-Identifier: Apache-2.0
// The Caddy ingress against a real Caddy (Debian's 2.6.2) started on loopback: certificates from
// the internal CA, `proxy apply`, traffic over TLS to the service, a move that traffic follows,
// a config Caddy refuses leaving the old one serving, another cluster's certificate never served,
// and `proxy status` asking through Caddy whether anything answers behind a route.
#include "tests/support/TestHosts.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

class TestCaddy : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void applyServeMoveAndRefuse();
    void renewReissuesAndCaddyReloads();
    void anotherClustersCertificateIsNeverServed();
    void statusAsksThroughCaddy();
    void moveUpdatesItsRoute();
    void caddyOnAnotherHostWithMtls();
    void trustStoreNeedsConsentAndWorks();

private:
    static int freePort();
    QByteArray cli(const QStringList &args, int *code = nullptr,
                   const QString &registry = {}) const;
    QByteArray fetch(const QString &path) const;
    void writeRegistry(int backendPort, const QByteArray &extra = {},
                       const QString &file = u"registry.yml"_s,
                       const QByteArray &hostname = "web.test.internal");
    /** A registry's certificates: certs/registry-<12 hex of its path's SHA-256> (no domain). */
    QString certsOf(const QString &registryFile) const;
    QProcess *backend(int port, const QByteArray &text);

    QTemporaryDir m_dir;
    QProcess m_caddy;
    QList<QProcess *> m_backends;
    int m_admin = 0, m_http = 0, m_https = 0;
};

int TestCaddy::freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost);
    return probe.serverPort();
}

void TestCaddy::initTestCase()
{
    if (QStandardPaths::findExecutable(u"caddy"_s).isEmpty())
        QFAIL("caddy is not installed: run scripts/setup (it installs Debian's package)");
    m_admin = freePort();
    m_http = freePort();
    m_https = freePort();
    QFile init(m_dir.filePath(u"init.json"_s));
    QVERIFY(init.open(QIODevice::WriteOnly));
    init.write(R"({"admin":{"listen":"127.0.0.1:)" + QByteArray::number(m_admin) + R"("}})");
    init.close();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"HOME"_s, m_dir.path()); // its autosave and data stay in the temp dir
    env.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(u"data"_s));
    env.insert(u"XDG_CONFIG_HOME"_s, m_dir.filePath(u"config"_s));
    m_caddy.setProcessEnvironment(env);
    m_caddy.setProcessChannelMode(QProcess::MergedChannels);
    m_caddy.start(u"caddy"_s, {u"run"_s, u"--config"_s, init.fileName()});
    QVERIFY(m_caddy.waitForStarted());
    const auto adminAnswers = [this] {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, quint16(m_admin));
        return socket.waitForConnected(200);
    };
    QTRY_VERIFY_WITH_TIMEOUT(adminAnswers() || m_caddy.state() != QProcess::Running, 10000);
    QVERIFY2(m_caddy.state() == QProcess::Running, m_caddy.readAll().constData());
}

void TestCaddy::cleanupTestCase()
{
    for (QProcess *p : std::as_const(m_backends)) {
        p->kill();
        p->waitForFinished();
        delete p;
    }
    m_caddy.terminate();
    m_caddy.waitForFinished(5000);
}

QProcess *TestCaddy::backend(int port, const QByteArray &text)
{
    const QString root = m_dir.filePath(u"www-"_s + QString::number(port));
    QDir().mkpath(root);
    QFile index(root + u"/index.html"_s);
    index.open(QIODevice::WriteOnly);
    index.write(text);
    index.close();
    auto *p = new QProcess;
    p->setWorkingDirectory(root);
    p->start(u"python3"_s,
             {u"-m"_s, u"http.server"_s, QString::number(port), u"--bind"_s, u"127.0.0.1"_s});
    m_backends.append(p);
    return p;
}

QString TestCaddy::certsOf(const QString &registryFile) const
{
    const QString path = QFileInfo(m_dir.filePath(registryFile)).canonicalFilePath();
    return m_dir.filePath(u"home/certs/registry-"_s)
           + QString::fromLatin1(QCryptographicHash::hash(path.toUtf8(), QCryptographicHash::Sha256)
                                     .toHex()
                                     .left(12));
}

void TestCaddy::writeRegistry(int backendPort, const QByteArray &extra, const QString &file,
                              const QByteArray &hostname)
{
    QFile registry(m_dir.filePath(file));
    QVERIFY(registry.open(QIODevice::WriteOnly));
    registry.write("caddy:\n  ingress_host: box\n  admin_endpoint: http://127.0.0.1:"
                   + QByteArray::number(m_admin) + "\n  http_port: " + QByteArray::number(m_http)
                   + "\n  https_port: " + QByteArray::number(m_https)
                   + "\nhosts:\n  box:\n    ip: 127.0.0.1\n    transport: local\n    path: "
                   + m_dir.filePath(u"box"_s).toUtf8()
                   + "\nservices:\n  web:\n    current_host: box\n    deployment_type: process\n"
                     "    command: sleep 100\n    hostname: "
                   + hostname + "\n    port: " + QByteArray::number(backendPort)
                   + "\n    health: {type: http, path: /index.html}\n" + extra);
}

QByteArray TestCaddy::cli(const QStringList &args, int *code, const QString &registry) const
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PORTOSER_HOME"_s, m_dir.filePath(u"home"_s));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(qEnvironmentVariable("PORTOSER_BINARY"),
            QStringList{u"--cli"_s, u"--registry"_s,
                        registry.isEmpty() ? m_dir.filePath(u"registry.yml"_s) : registry}
                + args);
    p.waitForFinished(60000);
    if (code)
        *code = p.exitCode();
    return p.readAll();
}

QByteArray TestCaddy::fetch(const QString &path) const
{
    QProcess curl;
    curl.start(u"curl"_s, {u"-sS"_s, u"-m"_s, u"5"_s, u"--resolve"_s,
                           u"web.test.internal:%1:127.0.0.1"_s.arg(m_https), u"--cacert"_s,
                           m_dir.filePath(u"home/ca/ca.crt"_s),
                           u"https://web.test.internal:%1%2"_s.arg(m_https).arg(path)});
    curl.waitForFinished(10000);
    return curl.readAllStandardOutput() + curl.readAllStandardError();
}

void TestCaddy::applyServeMoveAndRefuse()
{
    const int first = freePort();
    const int second = freePort();
    backend(first, "served by the first\n");
    backend(second, "served by the second\n");
    writeRegistry(first);
    int code = -1;
    QByteArray out = cli({u"proxy"_s, u"plan"_s}, &code);
    QVERIFY2(code == 1 && out.contains("certs issue web"), out.constData()); // no certificate yet
    cli({u"certs"_s, u"init-ca"_s}, &code);
    QCOMPARE(code, 0);
    cli({u"certs"_s, u"issue"_s, u"web"_s}, &code);
    QCOMPARE(code, 0);

    out = cli({u"proxy"_s, u"apply"_s}, &code);
    QVERIFY2(code == 0 && out.contains("applied"), out.constData());
    QTRY_COMPARE_WITH_TIMEOUT(fetch(u"/index.html"_s), QByteArray("served by the first\n"), 10000);
    out = cli({u"proxy"_s, u"plan"_s}, &code);
    QVERIFY2(out.contains("nothing to change"), out.constData());
    out = cli({u"proxy"_s, u"status"_s, u"--json"_s}, &code);
    QCOMPARE(code, 0);
    const QJsonObject web = QJsonDocument::fromJson(out).array().first().toObject();
    QCOMPARE(web[u"state"_s].toString(), u"ok"_s);
    QCOMPARE(web[u"url"_s].toString(), u"https://web.test.internal:%1/"_s.arg(m_https));

    // The service moves (another port here): the plan names the upstream, traffic follows.
    writeRegistry(second);
    out = cli({u"proxy"_s, u"status"_s}, &code);
    QVERIFY2(code == 1 && out.contains("stale"), out.constData());
    out = cli({u"proxy"_s, u"plan"_s}, &code);
    QVERIFY2(out.contains(u"127.0.0.1:%1"_s.arg(second).toUtf8()), out.constData());
    cli({u"proxy"_s, u"apply"_s}, &code);
    QCOMPARE(code, 0);
    QTRY_COMPARE_WITH_TIMEOUT(fetch(u"/index.html"_s), QByteArray("served by the second\n"), 10000);

    // A certificate Caddy cannot load: refused, nothing changes, the old route still serves.
    QFile junk(m_dir.filePath(u"junk.pem"_s));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("not a certificate\n");
    junk.close();
    writeRegistry(first, "    tls_cert: " + junk.fileName().toUtf8()
                             + "\n    tls_key: " + junk.fileName().toUtf8() + "\n");
    out = cli({u"proxy"_s, u"apply"_s}, &code);
    QVERIFY2(code == 1 && out.contains("still runs its previous config"), out.constData());
    QCOMPARE(fetch(u"/index.html"_s), QByteArray("served by the second\n"));
}

void TestCaddy::renewReissuesAndCaddyReloads()
{
    const int port = freePort();
    backend(port, "renewed site\n");
    writeRegistry(port);
    int code = -1;
    cli({u"certs"_s, u"issue"_s, u"web"_s, u"--days"_s, u"5"_s}, &code);
    QCOMPARE(code, 0);
    cli({u"proxy"_s, u"apply"_s}, &code);
    QCOMPARE(code, 0);
    // The serial Caddy presents, as an independent client sees it.
    const auto served = [this] {
        QProcess client;
        client.start(u"openssl"_s, {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(m_https),
                                    u"-servername"_s, u"web.test.internal"_s});
        client.closeWriteChannel();
        client.waitForFinished(10000);
        QProcess x509;
        x509.start(u"openssl"_s, {u"x509"_s, u"-noout"_s, u"-serial"_s});
        x509.write(client.readAllStandardOutput());
        x509.closeWriteChannel();
        x509.waitForFinished(10000);
        return x509.readAllStandardOutput().trimmed();
    };
    const auto onDisk = [this] {
        QProcess x509;
        x509.start(u"openssl"_s, {u"x509"_s, u"-noout"_s, u"-serial"_s, u"-in"_s,
                                  certsOf(u"registry.yml"_s) + u"/web/server.crt"_s});
        x509.waitForFinished(10000);
        return x509.readAllStandardOutput().trimmed();
    };
    const QByteArray before = onDisk();
    QTRY_COMPARE_WITH_TIMEOUT(served(), before, 10000);
    QByteArray out = cli({u"certs"_s, u"check"_s}, &code);
    QCOMPARE(code, 1); // expires within 30 days
    out = cli({u"certs"_s, u"renew"_s}, &code);
    QVERIFY2(code == 0 && out.contains("renewed until"), out.constData());
    const QByteArray after = onDisk();
    QVERIFY(after != before);
    QTRY_COMPARE_WITH_TIMEOUT(served(), after, 10000); // Caddy reloaded the files
    QCOMPARE(fetch(u"/index.html"_s), QByteArray("renewed site\n"));
}

void TestCaddy::anotherClustersCertificateIsNeverServed()
{
    // Another cluster's `web` (another registry, another hostname) has its certificate in the
    // old flat layout, certs/web/, where every registry's `web` used to be looked for.
    const QString other = m_dir.filePath(u"other.yml"_s);
    QFile file(other);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("domain: other.internal\nhosts:\n  box:\n    ip: 127.0.0.1\n    transport: local\n"
               "    path: "
               + m_dir.filePath(u"box"_s).toUtf8()
               + "\nservices:\n  web:\n    current_host: box\n    deployment_type: process\n"
                 "    command: sleep 100\n    hostname: web.other.internal\n    port: 9\n");
    file.close();
    int code = -1;
    QByteArray out = cli({u"certs"_s, u"issue"_s, u"web"_s}, &code, other);
    QVERIFY2(code == 0, out.constData());
    const QString issuedIn = QFileInfo(QString::fromUtf8(out.left(out.indexOf(": ")))).path();
    const QString legacy = m_dir.filePath(u"home/certs/web"_s);
    if (issuedIn != legacy) {
        QDir(legacy).removeRecursively();
        QVERIFY(QDir().rename(issuedIn, legacy));
    }

    // This cluster's `web`: apply gives it a certificate of its own, and Caddy serves that.
    const int port = freePort();
    backend(port, "this cluster's web\n");
    writeRegistry(port, {}, u"journey.yml"_s);
    const QString journey = m_dir.filePath(u"journey.yml"_s);
    out = cli({u"proxy"_s, u"apply"_s}, &code, journey);
    QVERIFY2(code == 0 && out.contains("issued a certificate for web"), out.constData());
    QTRY_COMPARE_WITH_TIMEOUT(fetch(u"/index.html"_s), QByteArray("this cluster's web\n"), 10000);
    const QString own = certsOf(u"journey.yml"_s) + u"/web/server.crt"_s;
    QVERIFY(QFile::exists(own));

    // Its hostname changes and its certificate does not: apply refuses it, naming the service,
    // the file, the names it has and the one the route serves; Caddy keeps what it runs.
    writeRegistry(port, {}, u"journey.yml"_s, "web2.test.internal");
    out = cli({u"proxy"_s, u"apply"_s}, &code, journey);
    QVERIFY2(code == 1 && out.contains("service web (route portoser-web)")
                 && out.contains(own.toUtf8()) && out.contains("DNS:web.test.internal")
                 && out.contains("but the route serves web2.test.internal")
                 && out.contains("Nothing was sent to Caddy"),
             out.constData());
    QCOMPARE(fetch(u"/index.html"_s), QByteArray("this cluster's web\n"));
}

void TestCaddy::statusAsksThroughCaddy()
{
    // The route is right, but nothing listens behind it yet: Caddy answers 502 or 503.
    const int port = freePort();
    writeRegistry(port);
    int code = -1;
    QByteArray out = cli({u"proxy"_s, u"apply"_s}, &code);
    QVERIFY2(code == 0, out.constData());
    const auto web = [&] {
        const QByteArray json = cli({u"proxy"_s, u"status"_s, u"--json"_s}, &code);
        return QJsonDocument::fromJson(json).array().first().toObject();
    };
    QJsonObject route = web();
    const QString detail = route[u"detail"_s].toString();
    QVERIFY2(code == 1 && route[u"state"_s].toString() == u"down"_s
                 && (detail.contains(u" 502 "_s) || detail.contains(u" 503 "_s))
                 && detail.contains(u"127.0.0.1:%1 does not answer"_s.arg(port)),
             QJsonDocument(route).toJson().constData());
    out = cli({u"proxy"_s, u"status"_s}, &code);
    QVERIFY2(code == 1 && out.contains("down"), out.constData());

    // The service comes up (Caddy's health check sees it within its 10 s interval): ok.
    backend(port, "up now\n");
    QTRY_COMPARE_WITH_TIMEOUT(web()[u"state"_s].toString(), u"ok"_s, 30000);
    QCOMPARE(code, 0);
    QCOMPARE(fetch(u"/index.html"_s), QByteArray("up now\n"));
}

void TestCaddy::moveUpdatesItsRoute()
{
    const auto hosts = Portoser::Test::TestHosts::fromEnvironment();
    if (hosts.size() < 2)
        QSKIP("needs root and the namespace test hosts (network namespaces, sshd)");
    // A web service on h1 that says where it runs (its release directory is under h1's base).
    QDir().mkpath(m_dir.filePath(u"src/web"_s));
    QFile readme(m_dir.filePath(u"src/web/README"_s));
    QVERIFY(readme.open(QIODevice::WriteOnly));
    readme.write("web\n");
    readme.close();
    const QString registry = m_dir.filePath(u"hosts-registry.yml"_s);
    QFile file(registry);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("caddy:\n  admin_endpoint: http://127.0.0.1:" + QByteArray::number(m_admin)
               + "\n  http_port: " + QByteArray::number(m_http)
               + "\n  https_port: " + QByteArray::number(m_https) + "\n" + hosts.registryFragment()
               + "services:\n  web:\n    current_host: h1\n    deployment_type: process\n"
                 "    source: src/web\n    hostname: web.test.internal\n    port: 18791\n"
                 "    command: pwd > where.txt; exec python3 -m http.server 18791 --bind 0.0.0.0\n"
                 "    stop_timeout: 3\n    health: {type: tcp, interval: 1, retries: 10}\n");
    file.close();
    int code = -1;
    QByteArray out = cli({u"deploy"_s, u"web"_s}, &code, registry);
    QVERIFY2(code == 0, out.constData());
    cli({u"certs"_s, u"init-ca"_s, u"--force"_s}, &code, registry);
    cli({u"certs"_s, u"issue"_s, u"web"_s}, &code, registry);
    QCOMPARE(code, 0);
    out = cli({u"proxy"_s, u"apply"_s}, &code, registry);
    QVERIFY2(code == 0, out.constData());
    QTRY_VERIFY_WITH_TIMEOUT(fetch(u"/where.txt"_s).contains("/h1/"), 10000);

    // The certificates reach the service's host: the key only for its owner, the chain valid.
    out = cli({u"certs"_s, u"install"_s, u"web"_s}, &code, registry);
    QVERIFY2(code == 0 && out.contains("/.portoser/web/tls/server.key"), out.constData());
    const QString tls = hosts.dir() + u"/h1/base/.portoser/web/tls"_s;
    const auto modes =
        hosts.ssh(u"h1"_s, u"stat -c '%n %a' %1/server.key %1/server.crt"_s.arg(tls));
    QVERIFY(modes && modes->contains("server.key 600") && modes->contains("server.crt 644"));
    QVERIFY(hosts.ssh(u"h1"_s, u"openssl verify -CAfile %1/ca.crt %1/server.crt"_s.arg(tls)));

    // The move deploys on h2, stops h1's and points the route at h2 in the same command.
    out = cli({u"move"_s, u"web"_s, u"--to"_s, u"h2"_s}, &code, registry);
    QVERIFY2(code == 0
                 && out.contains(QByteArray("route portoser-web now sends web.test.internal to "
                                            + hosts.address(u"h2"_s).toUtf8() + ":18791")),
             out.constData());
    QTRY_VERIFY_WITH_TIMEOUT(fetch(u"/where.txt"_s).contains("/h2/"), 10000);
    out = cli({u"proxy"_s, u"status"_s}, &code, registry);
    QVERIFY2(code == 0, out.constData());
    cli({u"stop"_s, u"web"_s}, &code, registry);
}

void TestCaddy::caddyOnAnotherHostWithMtls()
{
    const auto hosts = Portoser::Test::TestHosts::fromEnvironment();
    if (hosts.size() < 3)
        QSKIP("needs root and the namespace test hosts (network namespaces, sshd)");
    // Caddy runs on h3 (started there over SSH, admin API on h3's address); the service on h1.
    const QString caddyDir = hosts.dir() + u"/h3/caddy"_s;
    QDir().mkpath(caddyDir);
    const int admin = 2019, http = 18780, https = 18743;
    const QString h3 = hosts.address(u"h3"_s);
    QFile init(caddyDir + u"/init.json"_s);
    QVERIFY(init.open(QIODevice::WriteOnly));
    init.write(R"({"admin":{"listen":"0.0.0.0:2019"}})");
    init.close();
    QVERIFY(hosts.ssh(u"h3"_s,
                      u"cd %1 || exit 1; HOME=%1 XDG_DATA_HOME=%1/data XDG_CONFIG_HOME=%1/config "
                      "setsid caddy run --config init.json --pidfile caddy.pid "
                      ">caddy.log 2>&1 </dev/null &"_s.arg(caddyDir)));
    const auto adminAnswers = [&] {
        QTcpSocket socket;
        socket.connectToHost(h3, quint16(admin));
        return socket.waitForConnected(200);
    };
    QTRY_VERIFY_WITH_TIMEOUT(adminAnswers(), 10000);

    QDir().mkpath(m_dir.filePath(u"src/api"_s));
    QFile readme(m_dir.filePath(u"src/api/hello.txt"_s));
    QVERIFY(readme.open(QIODevice::WriteOnly));
    readme.write("hello through h3\n");
    readme.close();
    const QString registry = m_dir.filePath(u"ingress-registry.yml"_s);
    QFile file(registry);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("caddy:\n  ingress_host: h3\n  admin_endpoint: http://" + h3.toUtf8() + ":"
               + QByteArray::number(admin) + "\n  http_port: " + QByteArray::number(http)
               + "\n  https_port: " + QByteArray::number(https) + "\n" + hosts.registryFragment()
               + "services:\n  api:\n    current_host: h1\n    deployment_type: process\n"
                 "    source: src/api\n    hostname: api.test.internal\n    port: 18792\n"
                 "    ca_cert: internal\n"
                 "    command: exec python3 -m http.server 18792 --bind 0.0.0.0\n"
                 "    stop_timeout: 3\n    health: {type: tcp, interval: 1, retries: 10}\n");
    file.close();
    int code = -1;
    QByteArray out = cli({u"deploy"_s, u"api"_s}, &code, registry);
    QVERIFY2(code == 0, out.constData());

    // The two commands: a CA, then apply (which issues what the route lacks and puts it on h3).
    cli({u"certs"_s, u"init-ca"_s, u"--force"_s}, &code, registry);
    QCOMPARE(code, 0);
    const QString certs = certsOf(u"ingress-registry.yml"_s);
    QFile::remove(certs + u"/api/server.crt"_s);
    out = cli({u"proxy"_s, u"apply"_s}, &code, registry);
    QVERIFY2(code == 0 && out.contains("issued a certificate for api"), out.constData());
    // On h3 too, under the registry's own directory.
    const QString onH3 = hosts.dir() + u"/h3/base/.portoser/_caddy/certs/"_s
                         + QFileInfo(certs).fileName() + u"/api"_s;
    const auto modes =
        hosts.ssh(u"h3"_s, u"stat -c '%n %a' %1/server.key %1/server.crt"_s.arg(onH3));
    QVERIFY(modes && modes->contains("server.key 600") && modes->contains("server.crt 644"));
    QProcess config; // Caddy on h3 reads them there
    config.start(u"curl"_s, {u"-sf"_s, u"http://%1:%2/config/"_s.arg(h3).arg(admin)});
    config.waitForFinished(10000);
    const QByteArray running = config.readAllStandardOutput();
    QVERIFY2(running.contains(QString(onH3 + u"/server.crt"_s).toUtf8()), running.constData());

    // Without a client certificate, status cannot ask through the mTLS route, and says so.
    const auto route = [&] {
        const QByteArray json = cli({u"proxy"_s, u"status"_s, u"--json"_s}, &code, registry);
        return QJsonDocument::fromJson(json).array().first().toObject();
    };
    QJsonObject api = route();
    QVERIFY2(api[u"state"_s].toString() == u"unchecked"_s
                 && api[u"detail"_s].toString().contains(u"certs issue api --client"_s),
             QJsonDocument(api).toJson().constData());
    QCOMPARE(code, 0); // not known to be wrong
    // mTLS: without a client certificate the handshake is refused; with one from the CA it works.
    cli({u"certs"_s, u"issue"_s, u"api"_s, u"--client"_s}, &code, registry);
    QCOMPARE(code, 0);
    const auto get = [&](bool withClient, const QString &url) -> QByteArray {
        QStringList args{u"-sS"_s,
                         u"-m"_s,
                         u"5"_s,
                         u"--resolve"_s,
                         u"api.test.internal:%1:%2"_s.arg(https).arg(h3),
                         u"--resolve"_s,
                         u"api.test.internal:%1:%2"_s.arg(http).arg(h3),
                         u"--cacert"_s,
                         m_dir.filePath(u"home/ca/ca.crt"_s),
                         u"-D"_s,
                         u"-"_s};
        if (withClient)
            args += {u"--cert"_s, certs + u"/api/client.crt"_s, u"--key"_s,
                     certs + u"/api/client.key"_s};
        QProcess curl;
        curl.start(u"curl"_s, args + QStringList{url});
        curl.waitForFinished(10000);
        return curl.readAllStandardOutput() + curl.readAllStandardError();
    };
    const QString page = u"https://api.test.internal:%1/hello.txt"_s.arg(https);
    QTRY_VERIFY_WITH_TIMEOUT(get(true, page).contains("hello through h3"), 10000);
    // With one, status asks through Caddy on h3 as that client.
    api = route();
    QVERIFY2(api[u"state"_s].toString() == u"ok"_s && code == 0,
             QJsonDocument(api).toJson().constData());
    QVERIFY2(!get(false, page).contains("hello through h3"), get(false, page).constData());
    // HTTP redirects to HTTPS on the configured port (Caddy's own would say 443).
    const QByteArray redirect =
        get(false, u"http://api.test.internal:%1/hello.txt"_s.arg(http)).toLower();
    QVERIFY2(redirect.contains("308")
                 && redirect.contains(
                     u"location: https://api.test.internal:%1/hello.txt"_s.arg(https).toUtf8()),
             redirect.constData());

    cli({u"stop"_s, u"api"_s}, &code, registry);
    hosts.ssh(u"h3"_s, u"kill $(cat %1/caddy.pid)"_s.arg(caddyDir));
}

void TestCaddy::trustStoreNeedsConsentAndWorks()
{
    const auto hosts = Portoser::Test::TestHosts::fromEnvironment();
    if (hosts.size() < 3)
        QSKIP("needs root and the namespace test hosts (network namespaces, sshd)");
    const QString registry = m_dir.filePath(u"trust-registry.yml"_s);
    QFile file(registry);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(hosts.registryFragment()
               + "services:\n  web:\n    current_host: h2\n    deployment_type: process\n"
                 "    command: sleep 60\n    hostname: trusted.test.internal\n");
    file.close();
    int code = -1;
    cli({u"certs"_s, u"init-ca"_s, u"--force"_s}, &code, registry);
    cli({u"certs"_s, u"issue"_s, u"web"_s}, &code, registry);
    QCOMPARE(code, 0);
    const QString cert = certsOf(u"trust-registry.yml"_s) + u"/web/server.crt"_s;
    QVERIFY(!hosts.ssh(u"h2"_s, u"openssl verify %1"_s.arg(cert))); // not trusted yet

    QByteArray out = cli({u"certs"_s, u"trust"_s, u"h2"_s}, &code, registry);
    QVERIFY2(code == 2 && out.contains("--yes"), out.constData()); // no consent, no change
    QVERIFY(!hosts.ssh(u"h2"_s, u"openssl verify %1"_s.arg(cert)));

    out = cli({u"certs"_s, u"trust"_s, u"h2"_s, u"--yes"_s}, &code, registry);
    QVERIFY2(code == 0 && out.contains("/usr/local/share/ca-certificates/portoser-ca-"),
             out.constData());
    // Now h2's own trust store (update-ca-certificates ran there) accepts what the CA signed...
    QVERIFY(hosts.ssh(u"h2"_s, u"openssl verify %1"_s.arg(cert)));
    // ...and this machine's, which nobody asked to change, does not.
    QProcess verify;
    verify.start(u"openssl"_s, {u"verify"_s, cert});
    verify.waitForFinished(10000);
    QVERIFY(verify.exitCode() != 0);

    // A Mac (a stand-in uname and `security` on h3): the System keychain, through `security`.
    const QString bin = hosts.dir() + u"/h3/bin"_s;
    QFile::remove(bin + u"/uname"_s);
    QVERIFY(QFile::copy(qEnvironmentVariable("PORTOSER_SOURCE_DIR")
                            + u"/tests/hosts/fake-uname-darwin"_s,
                        bin + u"/uname"_s));
    QFile security(bin + u"/security"_s);
    QVERIFY(security.open(QIODevice::WriteOnly));
    security.write("#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/security.log\"\n");
    security.close();
    security.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner
                            | QFileDevice::ExeOwner);
    out = cli({u"certs"_s, u"trust"_s, u"h3"_s, u"--yes"_s}, &code, registry);
    QFile::remove(bin + u"/uname"_s);
    QVERIFY2(code == 0 && out.contains("System.keychain"), out.constData());
    QFile log(bin + u"/security.log"_s);
    QVERIFY(log.open(QIODevice::ReadOnly));
    QVERIFY2(log.readAll().startsWith(
                 "add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain "),
             "security was not asked to add the CA");
}

QTEST_GUILESS_MAIN(TestCaddy)
#include "TestCaddy.moc"
