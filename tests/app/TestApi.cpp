// SPDX-License-Identifier: Apache-2.0
// The HTTP API of a real `portoser --serve` on the embedded demo registry (local transport, so
// no root is needed): error shape and headers, tokens and roles, jobs, the event stream with
// resume, the OpenAPI description against the routes, limits, the public-listen refusal, MCP
// over HTTP, and the audit log.
#include "core/access/AuditLog.h"
#include "core/runtime/LocalEndpoint.h"
#include "tests/support/ServeProcess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocalSocket>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <pwd.h>
#include <unistd.h>

using namespace Qt::Literals::StringLiterals;
using Headers = QList<QPair<QByteArray, QByteArray>>;

class TestApi : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void healthHeadersAndErrorShape();
    void whatTheOutsideProbeFound();
    void storeReadsDoNotWaitForASilentHost();
    void hostReadsAreSharedOutPerCaller();
    void tokensRolesJobsAndAudit();
    void eventStreamResumesWithLastEventId();
    void openApiDescribesEveryRoute();
    void rateAndSizeLimits();
    void refusesPublicListenWithoutAuth();
    void idleConnectionsAreClosedButStreamsStay();
    void httpOnTheWireAsTheRfcSays();
    void aClientThatDoesNotReadIsBoundedAndCut();
    void mcpOverHttpSessionsAndChecks();
    void auditRedactsSecrets();
    void secretsMetadataForOperatorsValuesOnlyForAdmins();
    void operatorToolsQuoteTheirArguments();
    void settingsFileReloadAndGracefulStop();
    void cliDeploysThroughTheCoordinator();
    void metricsOverTimeAndForPrometheus();
    void plainCliGoesThroughTheCoordinatorHere();
    void localSocketDirectoryMustBeOurs();
    void twoCoordinatorsOnPostgresHealOneAtATime();

private:
    QProcessEnvironment env() const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(u"HOME"_s, m_dir->path());
        e.insert(u"PORTOSER_DB"_s, m_dir->filePath(u"portoser.db"_s));
        e.insert(u"PORTOSER_DEMO_HOME"_s, m_dir->filePath(u"demo"_s));
        e.insert(u"PORTOSER_DEMO_SITE_PORT"_s, u"18711"_s);
        e.insert(u"PORTOSER_DEMO_API_PORT"_s, u"18712"_s);
        return e;
    }
    /** A copy of the demo (a move edits the registry file; the repository's stays as it is). */
    QStringList registryArgs() const
    {
        return {u"--registry"_s, m_dir->filePath(u"demo-registry/registry.yml"_s)};
    }
    /** Adds host gamma (SSH to 127.0.0.1:`port`) and its service `stuck` to the demo copy. */
    bool addSilentHost(quint16 port) const
    {
        QFile file(m_dir->filePath(u"demo-registry/registry.yml"_s));
        if (!file.open(QIODevice::ReadOnly))
            return false;
        QByteArray yaml = file.readAll();
        file.close();
        const QByteArray gamma =
            "hosts:\n  gamma:\n    ip: 127.0.0.1\n    ssh_port: " + QByteArray::number(port)
            + "\n    transport: ssh\n    ssh_user: nobody\n"
              "    path: /tmp/gamma\n";
        yaml.replace("hosts:\n", gamma);
        yaml.replace("services:\n", "services:\n  stuck:\n    current_host: gamma\n"
                                    "    deployment_type: process\n    command: run\n");
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        return file.write(yaml) == yaml.size();
    }
    /** `portoser --cli ARGS` on the same database; returns stdout. */
    QString cli(const QStringList &args, int *exitCode = nullptr) const
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(qEnvironmentVariable("PORTOSER_BINARY"),
                QStringList{u"--cli"_s} + registryArgs() + args);
        p.waitForFinished(60000);
        if (exitCode)
            *exitCode = p.exitCode();
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    }
    static Headers bearer(const QString &token)
    {
        return {{"Authorization", "Bearer " + token.toLatin1()}};
    }
    /** Polls a job until it has finished; its JSON. */
    QJsonObject waitForJob(const QString &id, const Headers &auth = {})
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 60000) {
            const QJsonObject job =
                m_serve->request("GET", u"/api/v1/jobs/"_s + id, {}, auth).json().object();
            const QString state = job.value(u"state"_s).toString();
            if (state == u"succeeded" || state == u"failed")
                return job;
            QTest::qWait(100);
        }
        return {};
    }
    void stopDemo() { cli({u"stop"_s, u"worker"_s, u"api"_s, u"site"_s}); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServeProcess> m_serve;
};

void TestApi::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_serve = std::make_unique<ServeProcess>();
    QProcess copy;
    copy.start(u"cp"_s, {u"-r"_s, qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/examples/demo"_s,
                         m_dir->filePath(u"demo-registry"_s)});
    QVERIFY(copy.waitForFinished() && copy.exitCode() == 0);
}

void TestApi::cleanup()
{
    m_serve.reset();
    stopDemo();
    m_dir.reset();
}

void TestApi::healthHeadersAndErrorShape()
{
    QVERIFY2(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s}, env()),
             qPrintable(m_serve->output()));
    QVERIFY2(m_serve->output().contains(u"WARNING: no API token exists"_s),
             qPrintable(m_serve->output()));

    const auto health = m_serve->request("GET", u"/healthz"_s);
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().object().value(u"status"_s).toString(), u"ok"_s);
    QCOMPARE(health.header("X-Content-Type-Options"), QByteArray("nosniff"));
    QCOMPARE(health.header("X-Frame-Options"), QByteArray("DENY"));
    QVERIFY(health.header("Content-Security-Policy").contains("default-src 'none'"));

    const auto missing = m_serve->request("GET", u"/api/v1/nothing"_s);
    QCOMPARE(missing.status, 404);
    const QJsonObject error = missing.json().object().value(u"error"_s).toObject();
    QCOMPARE(error.value(u"code"_s).toString(), u"not_found"_s);
    QVERIFY(!error.value(u"message"_s).toString().isEmpty());

    QCOMPARE(m_serve->request("DELETE", u"/api/v1/services"_s).status, 405);

    const auto badJson = m_serve->request("POST", u"/api/v1/plan"_s, "{not json");
    QCOMPARE(badJson.status, 400);
    QCOMPARE(badJson.json()[u"error"_s][u"code"_s].toString(), u"parse_error"_s);

    const auto badType = m_serve->request("POST", u"/api/v1/plan"_s, R"({"services":"api"})");
    QCOMPARE(badType.status, 400);
    QVERIFY2(badType.json()[u"error"_s][u"message"_s].toString().contains(
                 u"services: expected an array"_s),
             badType.body.constData());

    const auto unknown = m_serve->request("POST", u"/api/v1/plan"_s, R"({"services":["nope"]})");
    QCOMPARE(unknown.status, 404);
    QVERIFY(unknown.json()[u"error"_s][u"message"_s].toString().contains(u"nope"_s));

    const auto services = m_serve->request("GET", u"/api/v1/services"_s);
    QCOMPARE(services.status, 200);
    QCOMPARE(services.json()[u"services"_s].toArray().size(), 3);
}

namespace {

/** A host that accepts TCP and never speaks SSH; the connections it holds. */
struct SilentHost
{
    QTcpServer server;
    QList<QTcpSocket *> held;

    bool listen()
    {
        if (!server.listen(QHostAddress::LocalHost))
            return false;
        QObject::connect(&server, &QTcpServer::newConnection, &server, [this] {
            while (QTcpSocket *c = server.nextPendingConnection())
                held.append(c);
        });
        return true;
    }
    quint16 port() const { return server.serverPort(); }
};

/** One request written by hand (a Host or body a browser would send); the status code. */
int rawStatus(quint16 port, const QByteArray &request)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return -1;
    socket.write(request);
    QByteArray answer;
    while (!answer.contains("\r\n") && socket.waitForReadyRead(5000))
        answer += socket.readAll();
    return answer.split(' ').value(1).toInt();
}

} // namespace

void TestApi::whatTheOutsideProbeFound()
{
    // Settings that would refuse everything are refused at start (finding 9).
    for (const QStringList &bad :
         {QStringList{u"--rate-limit"_s, u"0"_s}, QStringList{u"--idle-timeout"_s, u"soon"_s}}) {
        QProcess serve;
        serve.setProcessEnvironment(env());
        serve.start(qEnvironmentVariable("PORTOSER_BINARY"),
                    QStringList{u"--serve"_s} + registryArgs() + bad);
        QVERIFY(serve.waitForFinished(20000));
        QVERIFY(serve.exitCode() != 0);
        QVERIFY2(serve.readAllStandardError().contains(bad.first().toUtf8()),
                 qPrintable(bad.first()));
    }
    QVERIFY2(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s}, env()),
             qPrintable(m_serve->output()));
    // A viewer's validate: no environment and no file of the server (finding 1).
    const QByteArray posted = "include: /etc/passwd\nhosts:\n  a: {ip: 10.0.0.1, path: /srv}\n"
                              "services:\n  s: {current_host: a, deployment_type: process,\n"
                              "      command: run, port: \"${HOME}\"}\n";
    const auto checked = m_serve->request("POST", u"/api/v1/registry/validate"_s, posted);
    QCOMPARE(checked.status, 200);
    const QByteArray said = checked.body;
    QVERIFY2(!said.contains("root:") && !said.contains(m_dir->path().toUtf8()), said.constData());
    QVERIFY2(said.contains("not followed"), said.constData());
    QCOMPARE(checked.json()[u"valid"_s].toBool(), false);

    // Cross-site requests and DNS rebinding (finding 3).
    const Headers evil{{"Origin", "http://evil.example"}};
    QCOMPARE(m_serve->request("POST", u"/api/v1/heal/pause"_s, "{}", evil).status, 403);
    QCOMPARE(m_serve->request("GET", u"/api/v1/services"_s, {}, evil).status, 403);
    QCOMPARE(
        m_serve->request("GET", u"/api/v1/services"_s, {}, {{"Origin", "http://localhost:5173"}})
            .status,
        200);
    const QByteArray port = QByteArray::number(m_serve->port());
    QCOMPARE(rawStatus(m_serve->port(), "GET /api/v1/services HTTP/1.1\r\nHost: evil.example:"
                                            + port + "\r\nConnection: close\r\n\r\n"),
             403);
    QCOMPARE(rawStatus(m_serve->port(), "GET /api/v1/services HTTP/1.1\r\nHost: 127.0.0.1:" + port
                                            + "\r\nConnection: close\r\n\r\n"),
             200);
    const QByteArray formPost = "POST /api/v1/heal/pause HTTP/1.1\r\nHost: 127.0.0.1:" + port
                                + "\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
                                  "Connection: close\r\n\r\n{}";
    QCOMPARE(rawStatus(m_serve->port(), formPost), 415);
    // A bodyless POST is a simple cross-site request too.
    QCOMPARE(
        rawStatus(m_serve->port(), "POST /api/v1/heal/pause HTTP/1.1\r\nHost: 127.0.0.1:" + port
                                       + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
        415);
    // Open mode may act, but reveals no secret and mints no token.
    QCOMPARE(m_serve
                 ->request("PUT", u"/api/v1/secrets"_s,
                           R"({"path": "services/x", "key": "K", "value": "v"})")
                 .status,
             403);
    QCOMPARE(m_serve->request("POST", u"/api/v1/tokens"_s, R"({"name": "sneak", "role": "admin"})")
                 .status,
             403);

    // Tokens: a lower-case scheme is the same scheme; revoking the last one does not reopen
    // the API (finding 4); a refused attempt is audited (finding 5).
    const QString admin =
        cli({u"token"_s, u"create"_s, u"--role"_s, u"admin"_s, u"--name"_s, u"boss"_s});
    QVERIFY(admin.startsWith(u"pt_"_s));
    const auto lower = m_serve->request("GET", u"/api/v1/services"_s, {},
                                        {{"Authorization", "bearer " + admin.toLatin1()}});
    QVERIFY2(lower.status == 200, lower.body.constData());
    QCOMPARE(m_serve->request("POST", u"/api/v1/heal/pause"_s, "{}").status, 401);
    cli({u"token"_s, u"revoke"_s, u"boss"_s});
    QTest::qWait(2500); // the token cache is re-read every two seconds
    QCOMPARE(m_serve->request("GET", u"/api/v1/services"_s).status, 401);
    const QString second =
        cli({u"token"_s, u"create"_s, u"--role"_s, u"admin"_s, u"--name"_s, u"boss2"_s});
    const auto audit = m_serve->request("GET", u"/api/v1/audit?limit=50"_s, {}, bearer(second));
    QCOMPARE(audit.status, 200);
    QVERIFY2(audit.body.contains("unauthenticated"), audit.body.left(2000).constData());
    for (const QString &bad : {u"limit=abc"_s, u"limit=-1"_s, u"offset=-5"_s})
        QCOMPARE(m_serve->request("GET", u"/api/v1/audit?"_s + bad, {}, bearer(second)).status,
                 400);

    // JSON-RPC as the specification says: arguments are an object, an id a string or number.
    Headers mcp = bearer(second);
    mcp.emplaceBack("Accept", "application/json, text/event-stream");
    const auto init = m_serve->request(
        "POST", u"/mcp"_s,
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})",
        mcp);
    mcp.emplaceBack("Mcp-Session-Id", init.header("Mcp-Session-Id"));
    const auto listArgs = m_serve->request(
        "POST", u"/mcp"_s,
        R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"history","arguments":[1]}})",
        mcp);
    QCOMPARE(listArgs.json()[u"error"_s][u"code"_s].toInt(), -32602);
    const auto nullId =
        m_serve->request("POST", u"/mcp"_s, R"({"jsonrpc":"2.0","id":null,"method":"ping"})", mcp);
    QCOMPARE(nullId.json()[u"error"_s][u"code"_s].toInt(), -32600);

    // A viewer opening sessions in a loop ends only its own (finding 9).
    const QString viewer =
        cli({u"token"_s, u"create"_s, u"--role"_s, u"viewer"_s, u"--name"_s, u"looper"_s});
    Headers looping = bearer(viewer);
    looping.emplaceBack("Accept", "application/json, text/event-stream");
    QByteArray firstOfLoop;
    for (int i = 0; i < 80; ++i) {
        const auto opened = m_serve->request(
            "POST", u"/mcp"_s,
            R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"loop","version":"1"}}})",
            looping);
        if (i == 0)
            firstOfLoop = opened.header("Mcp-Session-Id");
    }
    looping.emplaceBack("Mcp-Session-Id", firstOfLoop);
    QCOMPARE(
        m_serve->request("POST", u"/mcp"_s, R"({"jsonrpc":"2.0","id":9,"method":"ping"})", looping)
            .status,
        404); // its own oldest made room
    const auto still =
        m_serve->request("POST", u"/mcp"_s, R"({"jsonrpc":"2.0","id":9,"method":"ping"})", mcp);
    QVERIFY2(still.status == 200 && still.json().object().contains(u"result"_s),
             still.body.constData());
}

void TestApi::storeReadsDoNotWaitForASilentHost()
{
    // A host that accepts TCP and never speaks SSH (finding 7).
    SilentHost silent;
    QVERIFY(silent.listen());
    QVERIFY(addSilentHost(silent.port()));
    QVERIFY2(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s}, env()),
             qPrintable(m_serve->output()));
    QTcpSocket logs; // asks the silent host, and waits
    logs.connectToHost(QHostAddress::LocalHost, m_serve->port());
    QVERIFY(logs.waitForConnected(5000));
    logs.write("GET /api/v1/services/stuck/logs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY(logs.waitForBytesWritten(5000));
    QTRY_VERIFY2_WITH_TIMEOUT(
        !silent.held.isEmpty(),
        qPrintable(QString::fromUtf8(logs.peek(2000)).section(u"\r\n\r\n"_s, 1)),
        10000); // the read reached the silent host
    QElapsedTimer clock;
    clock.start();
    const auto history = m_serve->request("GET", u"/api/v1/history"_s);
    QCOMPARE(history.status, 200);
    QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(logs.bytesAvailable() == 0 || !logs.readAll().contains("200 OK")); // still waiting
    // Bad numbers and unknown services say so (finding 9).
    QCOMPARE(m_serve->request("GET", u"/api/v1/audit?limit=abc"_s).status, 403); // open: no audit
    QCOMPARE(m_serve->request("POST", u"/api/v1/services/nope/restart"_s, "{}").status, 404);
    // An MCP read of the silent host that its client cancels: the answer is dropped, the
    // request ends with 202 and no message.
    const auto init = m_serve->request(
        "POST", u"/mcp"_s,
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
        R"("capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
    const QByteArray session = init.header("Mcp-Session-Id");
    QVERIFY2(!session.isEmpty(), init.body.constData());
    const QByteArray call =
        R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"logs","arguments":{"service":"stuck"}}})";
    QTcpSocket mcpCall;
    mcpCall.connectToHost(QHostAddress::LocalHost, m_serve->port());
    QVERIFY(mcpCall.waitForConnected(5000));
    mcpCall.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  "Accept: application/json, text/event-stream\r\nMcp-Session-Id: "
                  + session + "\r\nContent-Length: " + QByteArray::number(call.size()) + "\r\n\r\n"
                  + call);
    QVERIFY(mcpCall.waitForBytesWritten(5000));
    QTest::qWait(300);
    QCOMPARE(
        m_serve
            ->request(
                "POST", u"/mcp"_s,
                R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}})",
                {{"Mcp-Session-Id", session}})
            .status,
        202);
    // SIGTERM while it waits: the read still gets its answer (the host's deadline), then the
    // coordinator exits; no new connection is taken meanwhile (finding 9).
    QProcess::execute(u"kill"_s, {u"-TERM"_s, QString::number(m_serve->pid())});
    QTRY_VERIFY_WITH_TIMEOUT(logs.bytesAvailable() > 0 || logs.waitForReadyRead(100), 25000);
    const QByteArray answered = logs.readAll();
    QVERIFY2(answered.startsWith("HTTP/1.1 ") && answered.contains("\"error\""),
             answered.constData());
    QTRY_VERIFY_WITH_TIMEOUT(mcpCall.bytesAvailable() > 0 || mcpCall.waitForReadyRead(100), 25000);
    const QByteArray dropped = mcpCall.readAll();
    QVERIFY2(dropped.startsWith("HTTP/1.1 202 ") && dropped.endsWith("\r\n\r\n"),
             dropped.constData());
    QCOMPARE(m_serve->waitForExit(20000), 0);
}

void TestApi::hostReadsAreSharedOutPerCaller()
{
    // Finding 7's other half: one caller asking a silent host again and again takes its share
    // of the host-reads queue, not all of it (429 for it; others and store reads go on).
    SilentHost silent;
    QVERIFY(silent.listen());
    QVERIFY(addSilentHost(silent.port()));
    QVERIFY2(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s}, env()),
             qPrintable(m_serve->output()));
    std::vector<std::unique_ptr<QTcpSocket>> waiting;
    for (int i = 0; i < 8; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, m_serve->port());
        QVERIFY(socket->waitForConnected(5000));
        socket->write("GET /api/v1/services/stuck/logs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QVERIFY(socket->waitForBytesWritten(5000));
        waiting.push_back(std::move(socket));
    }
    QTRY_VERIFY_WITH_TIMEOUT(!silent.held.isEmpty(), 10000); // the first reached the silent host
    QTest::qWait(300);
    const auto ninth = m_serve->request("GET", u"/api/v1/services/stuck/logs"_s);
    QCOMPARE(ninth.status, 429);
    QCOMPARE(ninth.json()[u"error"_s][u"code"_s].toString(), u"too_many_requests"_s);
    QCOMPARE(ninth.header("Retry-After"), "1");
    QCOMPARE(m_serve->request("GET", u"/api/v1/history"_s).status, 200);
}

void TestApi::tokensRolesJobsAndAudit()
{
    QVERIFY2(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s}, env()),
             qPrintable(m_serve->output()));
    // Open while no token exists; the first token closes it (another process makes it).
    QCOMPARE(m_serve->request("GET", u"/api/v1/services"_s).status, 200);
    const QString viewer =
        cli({u"token"_s, u"create"_s, u"--role"_s, u"viewer"_s, u"--name"_s, u"dash"_s});
    const QString operatorToken =
        cli({u"token"_s, u"create"_s, u"--role"_s, u"operator"_s, u"--name"_s, u"ci"_s});
    QVERIFY2(viewer.startsWith(u"pt_"_s) && operatorToken.startsWith(u"pt_"_s), qPrintable(viewer));
    // Only hashes are stored: the secret is nowhere in the database files.
    for (const QString &file : QDir(m_dir->path()).entryList({u"portoser.db*"_s}, QDir::Files)) {
        QFile db(m_dir->filePath(file));
        QVERIFY(db.open(QIODevice::ReadOnly));
        QVERIFY2(!db.readAll().contains(viewer.toLatin1()), qPrintable(file));
    }

    QTest::qWait(2100); // the server re-reads tokens at most every two seconds
    const auto anonymous = m_serve->request("GET", u"/api/v1/services"_s);
    QCOMPARE(anonymous.status, 401);
    QVERIFY(anonymous.header("WWW-Authenticate").startsWith("Bearer"));
    QCOMPARE(m_serve->request("GET", u"/healthz"_s).status, 200);
    QCOMPARE(m_serve->request("GET", u"/api/v1/services"_s, {}, bearer(u"pt_wrong"_s)).status, 401);
    QCOMPARE(m_serve->request("GET", u"/api/v1/services"_s, {}, bearer(viewer)).status, 200);

    const auto denied =
        m_serve->request("POST", u"/api/v1/deploy"_s, R"({"services":["api"]})", bearer(viewer));
    QCOMPARE(denied.status, 403);
    QVERIFY(denied.json()[u"error"_s][u"message"_s].toString().contains(u"needs operator"_s));
    QCOMPARE(m_serve->request("GET", u"/api/v1/tokens"_s, {}, bearer(operatorToken)).status, 403);

    const auto accepted = m_serve->request("POST", u"/api/v1/deploy"_s, R"({"services":["api"]})",
                                           bearer(operatorToken));
    QCOMPARE(accepted.status, 202);
    const QString jobId = accepted.json()[u"job"_s].toString();
    QCOMPARE(accepted.header("Location"), (u"/api/v1/jobs/"_s + jobId).toLatin1());
    const QJsonObject job = waitForJob(jobId, bearer(viewer));
    QCOMPARE(job.value(u"state"_s).toString(), u"succeeded"_s);
    QVERIFY(!job.value(u"steps"_s).toArray().isEmpty());
    const QJsonObject record = job[u"result"_s][u"records"_s][0].toObject();
    QCOMPARE(record.value(u"service"_s).toString(), u"api"_s);
    QCOMPARE(record.value(u"actor"_s).toString(), u"token:ci"_s);
    // It really runs: the demo api answers on its port.
    QNetworkAccessManager manager;
    QNetworkReply *hello = manager.get(QNetworkRequest(QUrl(u"http://127.0.0.1:18712/health"_s)));
    QSignalSpy done(hello, &QNetworkReply::finished);
    QVERIFY(done.wait(10000));
    QCOMPARE(hello->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);

    // History through the API shows the same record.
    const auto history =
        m_serve->request("GET", u"/api/v1/history?service=api"_s, {}, bearer(viewer));
    QCOMPARE(history.json()[u"records"_s][0][u"id"_s].toInteger(),
             record.value(u"id"_s).toInteger());

    // Revoked tokens stop working.
    cli({u"token"_s, u"revoke"_s, u"dash"_s});
    QTest::qWait(2100);
    QCOMPARE(m_serve->request("GET", u"/api/v1/services"_s, {}, bearer(viewer)).status, 401);

    // An admin manages tokens through the API: the secret is in the creation's answer only.
    const QString admin =
        cli({u"token"_s, u"create"_s, u"--role"_s, u"admin"_s, u"--name"_s, u"root"_s});
    QTest::qWait(2100);
    const auto minted = m_serve->request("POST", u"/api/v1/tokens"_s,
                                         R"({"name":"board","role":"viewer"})", bearer(admin));
    QCOMPARE(minted.status, 201);
    const QString board = minted.json()[u"token"_s].toString();
    QVERIFY2(board.startsWith(u"pt_"_s), minted.body.constData());
    QCOMPARE(minted.json()[u"role"_s].toString(), u"viewer"_s);
    const auto listed = m_serve->request("GET", u"/api/v1/tokens"_s, {}, bearer(admin));
    QCOMPARE(listed.status, 200);
    QVERIFY2(listed.body.contains("\"board\"") && !listed.body.contains(board.toLatin1()),
             listed.body.constData());
    QTest::qWait(2100);
    QCOMPARE(m_serve->request("GET", u"/api/v1/services"_s, {}, bearer(board)).status, 200);
    const auto revoked = m_serve->request("DELETE", u"/api/v1/tokens/board"_s, {}, bearer(admin));
    QCOMPARE(revoked.status, 200);
    QCOMPARE(revoked.json()[u"revoked"_s].toString(), u"board"_s);
    QCOMPARE(m_serve->request("DELETE", u"/api/v1/tokens/nope"_s, {}, bearer(admin)).status, 404);
    QTest::qWait(2100);
    QCOMPARE(m_serve->request("GET", u"/api/v1/services"_s, {}, bearer(board)).status, 401);

    // The audit log has the deploy and the refusal, with who and the outcome.
    int code = -1;
    const QJsonArray audit =
        QJsonDocument::fromJson(cli({u"audit"_s, u"list"_s, u"--json"_s}, &code).toUtf8()).array();
    QCOMPARE(code, 0);
    bool sawDeploy = false, sawDenied = false;
    for (const QJsonValue &v : audit) {
        const QJsonObject e = v.toObject();
        if (e[u"action"_s] == u"POST /api/v1/deploy"_s && e[u"actor"_s] == u"token:ci"_s
            && e[u"status"_s].toInt() == 202 && e[u"outcome"_s] == u"ok"_s)
            sawDeploy = e[u"peer"_s] == u"127.0.0.1"_s
                        && e[u"arguments"_s][u"body"_s][u"services"_s][0] == u"api"_s;
        if (e[u"action"_s] == u"POST /api/v1/deploy"_s && e[u"actor"_s] == u"token:dash"_s)
            sawDenied =
                e[u"status"_s].toInt() == 403 && e[u"outcome"_s].toString().startsWith(u"denied"_s);
    }
    QVERIFY2(sawDeploy && sawDenied, QJsonDocument(audit).toJson().constData());
}

void TestApi::eventStreamResumesWithLastEventId()
{
    QVERIFY2(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s}, env()),
             qPrintable(m_serve->output()));
    QNetworkAccessManager manager;
    QNetworkReply *stream =
        manager.get(QNetworkRequest(QUrl(m_serve->url(u"/api/v1/events?types=job"_s))));
    QByteArray received;
    connect(stream, &QNetworkReply::readyRead, this, [&] { received += stream->readAll(); });
    QTest::qWait(300);
    QCOMPARE(stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QVERIFY(stream->header(QNetworkRequest::ContentTypeHeader)
                .toString()
                .startsWith(u"text/event-stream"_s));

    // A deploy (a restart of a service never deployed is refused: it has no release to run).
    const auto accepted =
        m_serve->request("POST", u"/api/v1/deploy"_s, R"({"services":["api"],"force":true})");
    QCOMPARE(accepted.status, 202);
    const QString jobId = accepted.json()[u"job"_s].toString();
    QTRY_VERIFY_WITH_TIMEOUT(received.contains("\"state\":\"succeeded\""), 30000);
    QVERIFY2(received.contains("event: job.step"), received.constData());
    QVERIFY(received.contains(jobId.toLatin1()));
    stream->abort();

    static const QRegularExpression ids(u"^id: (\\d+)$"_s, QRegularExpression::MultilineOption);
    QList<qint64> seen;
    for (auto it = ids.globalMatch(QString::fromUtf8(received)); it.hasNext();)
        seen.append(it.next().captured(1).toLongLong());
    QVERIFY(seen.size() >= 4);
    for (qsizetype i = 1; i < seen.size(); ++i)
        QVERIFY(seen.at(i) > seen.at(i - 1));

    // Reconnect as if the third event was the last one seen: the rest comes again, in order.
    QNetworkRequest resume(QUrl(m_serve->url(u"/api/v1/events?types=job"_s)));
    resume.setRawHeader("Last-Event-ID", QByteArray::number(seen.at(2)));
    QNetworkReply *again = manager.get(resume);
    QByteArray replay;
    connect(again, &QNetworkReply::readyRead, this, [&] { replay += again->readAll(); });
    QTRY_VERIFY_WITH_TIMEOUT(replay.contains("\"state\":\"succeeded\""), 10000);
    const auto first = ids.match(QString::fromUtf8(replay));
    QVERIFY(first.hasMatch());
    QCOMPARE(first.captured(1).toLongLong(), seen.at(3));
    again->abort();
}

void TestApi::openApiDescribesEveryRoute()
{
    QVERIFY2(m_serve->start(registryArgs(), env()), qPrintable(m_serve->output()));
    const auto deployed = m_serve->request("POST", u"/api/v1/deploy"_s, R"({"services":["api"]})");
    QCOMPARE(deployed.status, 202);
    const QJsonObject job = waitForJob(deployed.json()[u"job"_s].toString());
    const QString recordId =
        QString::number(job[u"result"_s][u"records"_s][0][u"id"_s].toInteger());
    QVERIFY(recordId != u"0"_s);

    const auto doc = m_serve->request("GET", u"/api/v1/openapi.json"_s);
    QCOMPARE(doc.status, 200);
    QCOMPARE(doc.json()[u"openapi"_s].toString(), u"3.0.3"_s);
    const QJsonObject paths = doc.json()[u"paths"_s].toObject();
    QVERIFY(paths.size() >= 30);
    int called = 0;
    for (auto path = paths.begin(); path != paths.end(); ++path) {
        const QJsonObject methods = path.value().toObject();
        for (auto m = methods.begin(); m != methods.end(); ++m) {
            QString concrete = path.key();
            concrete.replace(u"{name}"_s, u"api"_s)
                .replace(u"{id}"_s, path.key().startsWith(u"/api/v1/jobs"_s)
                                        ? job[u"id"_s].toString()
                                        : recordId)
                .replace(u"{other}"_s, recordId);
            if (concrete == u"/api/v1/events"_s)
                continue; // a stream: eventStreamResumesWithLastEventId
            const QByteArray method = m.key().toUpper().toLatin1();
            QByteArray body;
            if (concrete.endsWith(u"/move"_s))
                body = R"({"host":"alpha"})";
            else if (concrete == u"/api/v1/tokens"_s && method == "POST")
                body = R"({"name":"from-openapi","role":"viewer"})";
            const auto reply = m_serve->request(method, concrete, body);
            const QString what = QString::fromLatin1(method) + u' ' + concrete + u" -> "_s
                                 + QString::number(reply.status) + u' '
                                 + QString::fromUtf8(reply.body.left(300));
            QVERIFY2(reply.status > 0 && reply.status < 500, qPrintable(what));
            QVERIFY2(!reply.body.contains("no route"), qPrintable(what));
            if (!(method == "GET" && concrete == u"/mcp"_s))
                QVERIFY2(reply.status != 405, qPrintable(what));
            if (reply.status >= 400 && concrete != u"/mcp"_s)
                QVERIFY2(!reply.json()[u"error"_s][u"code"_s].toString().isEmpty(),
                         qPrintable(what));
            ++called;
            // Let jobs finish before the next call changes the same service again.
            if (reply.status == 202)
                QCOMPARE(waitForJob(reply.json()[u"job"_s].toString()).isEmpty(), false);
        }
    }
    QVERIFY(called >= 35);
}

void TestApi::rateAndSizeLimits()
{
    QVERIFY2(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s, u"--rate-limit"_s, u"5"_s},
                            env()),
             qPrintable(m_serve->output()));
    int limited = 0;
    QByteArray retryAfter;
    for (int i = 0; i < 20; ++i) {
        const auto r = m_serve->request("GET", u"/healthz"_s);
        if (r.status == 429) {
            ++limited;
            retryAfter = r.header("Retry-After");
            QCOMPARE(r.json()[u"error"_s][u"code"_s].toString(), u"rate_limited"_s);
        }
    }
    QVERIFY2(limited >= 5, qPrintable(QString::number(limited))); // burst 10 of 20 quick ones
    QVERIFY(retryAfter.toInt() >= 1);
    QTest::qWait(1200);
    QCOMPARE(m_serve->request("GET", u"/healthz"_s).status, 200); // the bucket refills

    m_serve = std::make_unique<ServeProcess>();
    QVERIFY(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s}, env()));
    const auto big = m_serve->request("POST", u"/api/v1/plan"_s, QByteArray(2 << 20, ' '));
    QCOMPARE(big.status, 413);
    QCOMPARE(big.json()[u"error"_s][u"code"_s].toString(), u"payload_too_large"_s);
}

void TestApi::idleConnectionsAreClosedButStreamsStay()
{
    QVERIFY2(m_serve->start(
                 registryArgs() + QStringList{u"--no-heal"_s, u"--idle-timeout"_s, u"1"_s}, env()),
             qPrintable(m_serve->output()));
    // A client that connects and says nothing (or half a request) is let go.
    QTcpSocket silent;
    silent.connectToHost(QHostAddress::LocalHost, m_serve->port());
    QVERIFY(silent.waitForConnected(5000));
    silent.write("GET /healthz HTTP/1.1\r\n"); // never finished
    QElapsedTimer clock;
    clock.start();
    QVERIFY(silent.waitForDisconnected(10000));
    QVERIFY2(clock.elapsed() < 4000, qPrintable(QString::number(clock.elapsed())));

    // An event stream is not idle in that sense: it stays open.
    QNetworkAccessManager manager;
    QNetworkReply *stream = manager.get(QNetworkRequest(QUrl(m_serve->url(u"/api/v1/events"_s))));
    QTest::qWait(3500);
    QVERIFY(stream->isRunning());
    QCOMPARE(stream->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    stream->abort();
}

namespace {

/** Reads whole answers (head and Content-Length body) off `socket`, up to `count`, each as
 *  "STATUS BODY"; stops early when the server closes or nothing comes for 5 s. */
QList<QByteArray> readAnswers(QTcpSocket &socket, int count)
{
    QList<QByteArray> answers;
    QByteArray buffer;
    while (answers.size() < count) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end >= 0) {
            const QByteArray head = buffer.left(end);
            qsizetype length = 0;
            for (const QByteArray &line : head.split('\n')) {
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            }
            if (buffer.size() >= end + 4 + length) {
                answers << head.split(' ').value(1) + ' ' + buffer.mid(end + 4, length);
                buffer.remove(0, end + 4 + length);
                continue;
            }
        }
        if (!socket.waitForReadyRead(5000))
            break;
        buffer += socket.readAll();
    }
    return answers;
}

} // namespace

void TestApi::httpOnTheWireAsTheRfcSays()
{
    QVERIFY2(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s}, env()),
             qPrintable(m_serve->output()));
    auto connectTo = [this](QTcpSocket &socket) {
        socket.connectToHost(QHostAddress::LocalHost, m_serve->port());
        return socket.waitForConnected(5000);
    };
    const QByteArray host = "Host: 127.0.0.1\r\n";

    // Pipelined: the slow validate (a worker) is answered before the instant /healthz after it.
    QTcpSocket pipelined;
    QVERIFY(connectTo(pipelined));
    const QByteArray yaml = "hosts: {}\nservices: {}\n";
    pipelined.write("POST /api/v1/registry/validate HTTP/1.1\r\n" + host
                    + "Content-Type: application/yaml\r\nContent-Length: "
                    + QByteArray::number(yaml.size()) + "\r\n\r\n" + yaml
                    + "GET /healthz HTTP/1.1\r\n" + host + "\r\nGET /nope HTTP/1.1\r\n" + host
                    + "\r\n");
    const QList<QByteArray> answers = readAnswers(pipelined, 3);
    QCOMPARE(answers.size(), 3);
    QVERIFY2(answers.at(0).startsWith("200 ") && answers.at(0).contains("\"valid\""),
             answers.at(0).constData());
    QVERIFY2(answers.at(1).startsWith("200 ") && answers.at(1).contains("\"ok\""),
             answers.at(1).constData());
    QVERIFY2(answers.at(2).startsWith("404 "), answers.at(2).constData());
    QCOMPARE(pipelined.state(), QAbstractSocket::ConnectedState); // kept alive

    // HTTP/1.0 and Connection: close are closed after their answer, not held for a minute.
    for (const QByteArray &request :
         QList<QByteArray>{QByteArray("GET /healthz HTTP/1.0\r\n\r\n"),
                           "GET /healthz HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n"}) {
        QTcpSocket once;
        QVERIFY(connectTo(once));
        once.write(request);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(once.waitForDisconnected(5000));
        QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY2(once.readAll().startsWith("HTTP/1.1 200 "), request.constData());
    }

    // A gigabyte announced is refused on its head, before one byte of it is sent (finding 8).
    QTcpSocket huge;
    QVERIFY(connectTo(huge));
    huge.write("POST /api/v1/registry/validate HTTP/1.1\r\n" + host
               + "Content-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n");
    const QList<QByteArray> refused = readAnswers(huge, 1);
    QVERIFY2(!refused.isEmpty() && refused.first().startsWith("413 "),
             refused.value(0).constData());
    QVERIFY(huge.waitForDisconnected(5000));

    // Duplicate, negative and chunked lengths (finding 9).
    for (const QByteArray &lengths :
         {QByteArray("Content-Length: 2\r\nContent-Length: 3\r\n"),
          QByteArray("Content-Length: -1\r\n"), QByteArray("Transfer-Encoding: chunked\r\n")}) {
        QTcpSocket bad;
        QVERIFY(connectTo(bad));
        bad.write("POST /api/v1/heal/pause HTTP/1.1\r\n" + host
                  + "Content-Type: application/json\r\n" + lengths + "\r\n{}");
        const QList<QByteArray> said = readAnswers(bad, 1);
        QVERIFY2(!said.isEmpty()
                     && (said.first().startsWith("400 ") || said.first().startsWith("501 ")),
                 lengths.constData());
    }

    // curl sends Expect: 100-continue for larger bodies and waits for the go-ahead.
    QTcpSocket expecting;
    QVERIFY(connectTo(expecting));
    expecting.write("POST /api/v1/registry/validate HTTP/1.1\r\n" + host
                    + "Content-Type: application/yaml\r\nExpect: 100-continue\r\n"
                      "Content-Length: "
                    + QByteArray::number(yaml.size()) + "\r\n\r\n");
    QVERIFY(expecting.waitForReadyRead(5000));
    QVERIFY(expecting.readAll().startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
    expecting.write(yaml);
    const QList<QByteArray> validated = readAnswers(expecting, 1);
    QVERIFY2(!validated.isEmpty() && validated.first().startsWith("200 "),
             validated.value(0).constData());
    QCOMPARE(m_serve->request("GET", u"/healthz"_s).status, 200);
}

namespace {

qint64 residentKiB(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

} // namespace

void TestApi::aClientThatDoesNotReadIsBoundedAndCut()
{
    // Found by a second review: 1,000 pipelined requests from a client that reads nothing grew
    // the server by 53 MB of unsent answers, and the connection never ended.
    QVERIFY2(m_serve->start(
                 registryArgs() + QStringList{u"--no-heal"_s, u"--idle-timeout"_s, u"2"_s}, env()),
             qPrintable(m_serve->output()));
    QCOMPARE(m_serve->request("GET", u"/api/v1/openapi.json"_s).status, 200);
    const qint64 before = residentKiB(m_serve->pid());
    QTcpSocket deaf;
    deaf.setReadBufferSize(4096); // Qt stops taking from the kernel: nothing is read
    deaf.connectToHost(QHostAddress::LocalHost, m_serve->port());
    QVERIFY(deaf.waitForConnected(5000));
    deaf.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    QByteArray many;
    for (int i = 0; i < 1000; ++i)
        many += "GET /api/v1/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    deaf.write(many);
    QElapsedTimer clock;
    clock.start();
    qint64 peak = 0;
    while (clock.elapsed() < 4000) {
        QTest::qWait(200);
        peak = qMax(peak, residentKiB(m_serve->pid()));
    }
#ifndef PORTOSER_SANITIZED // a sanitizer's shadow memory and quarantine say nothing of ours
    QVERIFY2(peak - before < 16 * 1024,
             qPrintable(u"grew %1 KiB"_s.arg(peak - before))); // a 1 MiB backlog, not 50 MB
#endif
    // Cut off once it sat on its answers past the idle timeout (twice: request, then flush).
    QTRY_VERIFY_WITH_TIMEOUT(m_serve->request("GET", u"/healthz"_s).status == 200, 5000);
    QTest::qWait(8000);
    // Now read what is there: a server that let go has ended the stream (closed or reset); one
    // that did not keeps the connection open after its last answer.
    deaf.setReadBufferSize(0);
    qint64 received = 0;
    while (deaf.state() == QAbstractSocket::ConnectedState && deaf.waitForReadyRead(2000))
        received += deaf.readAll().size();
    QVERIFY2(deaf.state() != QAbstractSocket::ConnectedState,
             qPrintable(u"still connected after %1 bytes"_s.arg(received)));
}

void TestApi::refusesPublicListenWithoutAuth()
{
    QProcess p;
    p.setProcessEnvironment(env());
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(qEnvironmentVariable("PORTOSER_BINARY"),
            QStringList{u"--serve"_s, u"--listen"_s, u"0.0.0.0:0"_s} + registryArgs());
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitCode(), 1);
    const QString out = QString::fromUtf8(p.readAll());
    QVERIFY2(out.contains(u"refusing to listen on 0.0.0.0 without authentication"_s),
             qPrintable(out));
    QVERIFY(out.contains(u"token create"_s));

    cli({u"token"_s, u"create"_s, u"--role"_s, u"admin"_s, u"--name"_s, u"root"_s});
    p.start(qEnvironmentVariable("PORTOSER_BINARY"),
            QStringList{u"--serve"_s, u"--listen"_s, u"0.0.0.0:0"_s, u"--no-heal"_s}
                + registryArgs());
    QTRY_VERIFY_WITH_TIMEOUT(
        QString::fromUtf8(p.peek(4096)).contains(u"listening on http://0.0.0.0:"_s), 20000);
    p.terminate();
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
}

void TestApi::mcpOverHttpSessionsAndChecks()
{
    QVERIFY2(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s}, env()),
             qPrintable(m_serve->output()));
    const Headers accept{{"Accept", "application/json, text/event-stream"}};
    const QByteArray initialize =
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}})";

    auto evil = accept;
    evil.emplaceBack("Origin", "http://evil.example");
    QCOMPARE(m_serve->request("POST", u"/mcp"_s, initialize, evil).status, 403);

    const auto init = m_serve->request("POST", u"/mcp"_s, initialize, accept);
    QCOMPARE(init.status, 200);
    QCOMPARE(init.json()[u"result"_s][u"protocolVersion"_s].toString(), u"2025-06-18"_s);
    const QByteArray session = init.header("Mcp-Session-Id");
    QVERIFY(!session.isEmpty());
    Headers inSession = accept;
    inSession.emplaceBack("Mcp-Session-Id", session);
    inSession.emplaceBack("MCP-Protocol-Version", "2025-06-18");

    // A version we do not speak is answered with the newest we do.
    const auto newer = m_serve->request(
        "POST", u"/mcp"_s,
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2099-01-01","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})",
        accept);
    QCOMPARE(newer.json()[u"result"_s][u"protocolVersion"_s].toString(), u"2025-11-25"_s);

    QCOMPARE(m_serve
                 ->request("POST", u"/mcp"_s,
                           R"({"jsonrpc":"2.0","method":"notifications/initialized"})", inSession)
                 .status,
             202);
    const auto tools = m_serve->request(
        "POST", u"/mcp"_s, R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", inSession);
    QCOMPARE(tools.status, 200);
    QMap<QString, QJsonObject> byName;
    for (const QJsonValue &t : tools.json()[u"result"_s][u"tools"_s].toArray())
        byName.insert(t[u"name"_s].toString(), t.toObject());
    for (const QString &name :
         {u"list_services"_s, u"service_status"_s, u"observe"_s, u"diagnose"_s, u"plan_deploy"_s,
          u"deploy"_s, u"move_service"_s, u"restart_service"_s, u"stop_service"_s, u"history"_s,
          u"rollback"_s, u"logs"_s, u"heal_status"_s})
        QVERIFY2(byName.contains(name), qPrintable(name));
    QCOMPARE(byName[u"deploy"_s][u"annotations"_s][u"readOnlyHint"_s].toBool(), false);
    QCOMPARE(byName[u"deploy"_s][u"annotations"_s][u"destructiveHint"_s].toBool(), true);
    QCOMPARE(byName[u"observe"_s][u"annotations"_s][u"readOnlyHint"_s].toBool(), true);
    QCOMPARE(byName[u"logs"_s][u"inputSchema"_s][u"required"_s][0].toString(), u"service"_s);

    const auto call = m_serve->request(
        "POST", u"/mcp"_s,
        R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_services","arguments":{}}})",
        inSession);
    QCOMPARE(call.json()[u"result"_s][u"isError"_s].toBool(), false);
    QCOMPARE(call.json()[u"result"_s][u"structuredContent"_s][u"services"_s].toArray().size(), 3);
    // Secrets, tokens and operator tools are in the catalog too: the same answers as REST (here
    // the secrets store has no passphrase: the same error both ways).
    for (const QByteArray &tool : {"list_secrets"_ba, "list_tokens"_ba, "list_operator_tools"_ba}) {
        const auto listed =
            m_serve->request("POST", u"/mcp"_s,
                             R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":")"
                                 + tool + R"(","arguments":{}}})",
                             inSession);
        const QJsonObject result = listed.json()[u"result"_s].toObject();
        const QString path = tool == "list_secrets"  ? u"/api/v1/secrets"_s
                             : tool == "list_tokens" ? u"/api/v1/tokens"_s
                                                     : u"/api/v1/mcp/tools"_s;
        const auto rest = m_serve->request("GET", path);
        if (rest.status == 200) {
            QVERIFY2(!result[u"isError"_s].toBool(), listed.body.constData());
            QCOMPARE(result[u"structuredContent"_s].toObject(), rest.json().object());
        } else {
            // Refused alike: the same role named as missing.
            QVERIFY2(result[u"isError"_s].toBool(), listed.body.constData());
            const QString why = rest.json()[u"error"_s][u"message"_s].toString();
            const QString needs = why.mid(why.lastIndexOf(u"needs "_s));
            QVERIFY2(!needs.isEmpty() && listed.body.contains(needs.toUtf8()),
                     qPrintable(QString::fromUtf8(listed.body) + u" / "_s + why));
        }
    }
    const auto badArgs = m_serve->request(
        "POST", u"/mcp"_s,
        R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"logs","arguments":{"lines":5}}})",
        inSession);
    QCOMPARE(badArgs.json()[u"result"_s][u"isError"_s].toBool(), true);
    QVERIFY(badArgs.body.contains("'service' is required"));
    QCOMPARE(m_serve
                 ->request("POST", u"/mcp"_s,
                           R"({"jsonrpc":"2.0","id":5,"method":"sampling/createMessage"})",
                           inSession)
                 .json()[u"error"_s][u"code"_s]
                 .toInt(),
             -32601);
    QCOMPARE(
        m_serve
            ->request(
                "POST", u"/mcp"_s,
                R"({"jsonrpc":"2.0","id":5,"method":"resources/read","params":{"uri":"file:///etc/passwd"}})",
                inSession)
            .json()[u"error"_s][u"code"_s]
            .toInt(),
        -32002);

    Headers wrongVersion = inSession;
    wrongVersion.last().second = "1999-01-01";
    QCOMPARE(m_serve
                 ->request("POST", u"/mcp"_s, R"({"jsonrpc":"2.0","id":6,"method":"ping"})",
                           wrongVersion)
                 .status,
             400);
    QCOMPARE(
        m_serve->request("POST", u"/mcp"_s, R"({"jsonrpc":"2.0","id":6,"method":"ping"})", accept)
            .status,
        400);
    Headers unknown = accept;
    unknown.emplaceBack("Mcp-Session-Id", "not-a-session");
    QCOMPARE(
        m_serve->request("POST", u"/mcp"_s, R"({"jsonrpc":"2.0","id":6,"method":"ping"})", unknown)
            .status,
        404);
    // GET opens the session's stream (it needs the session and an event-stream Accept).
    QCOMPARE(m_serve->request("GET", u"/mcp"_s, {}, {{"Accept", "text/event-stream"}}).status, 400);
    {
        auto openStream = [&](QTcpSocket &stream) {
            stream.connectToHost(QHostAddress::LocalHost, m_serve->port());
            if (!stream.waitForConnected(5000))
                return QByteArray();
            QByteArray get = "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n";
            for (const auto &[key, value] : inSession)
                get += key + ": " + value + "\r\n";
            stream.write(get + "\r\n");
            QByteArray opened;
            while (!opened.contains("resource updates") && stream.waitForReadyRead(5000))
                opened += stream.readAll();
            return opened;
        };
        QTcpSocket first;
        const QByteArray opened = openStream(first);
        QVERIFY2(opened.startsWith("HTTP/1.1 200 ") && opened.contains("text/event-stream"),
                 opened.constData());
        // A second stream takes over: the first is ended, not left open beside it.
        QTcpSocket second;
        QVERIFY(openStream(second).startsWith("HTTP/1.1 200 "));
        QVERIFY(first.state() == QAbstractSocket::UnconnectedState
                || first.waitForDisconnected(5000));
        QCOMPARE(second.state(), QAbstractSocket::ConnectedState);
    }
    QCOMPARE(m_serve->request("DELETE", u"/mcp"_s, {}, inSession).status, 204);
    QCOMPARE(
        m_serve
            ->request("POST", u"/mcp"_s, R"({"jsonrpc":"2.0","id":7,"method":"ping"})", inSession)
            .status,
        404);
}

void TestApi::auditRedactsSecrets()
{
    const QJsonObject redacted = Portoser::AuditLog::redact(QJsonObject{
        {u"service"_s, u"api"_s},
        {u"password"_s, u"hunter2"_s},
        {u"nested"_s, QJsonObject{{u"API_TOKEN"_s, u"abc"_s}, {u"value"_s, u"s3cret"_s}}},
        {u"list"_s, QJsonArray{QJsonObject{{u"client_secret"_s, u"x"_s}}}}});
    const QByteArray text = QJsonDocument(redacted).toJson(QJsonDocument::Compact);
    QVERIFY2(!text.contains("hunter2") && !text.contains("abc") && !text.contains("s3cret")
                 && !text.contains("\"x\""),
             text.constData());
    QCOMPARE(redacted.value(u"service"_s).toString(), u"api"_s);
}

void TestApi::secretsMetadataForOperatorsValuesOnlyForAdmins()
{
    QProcessEnvironment e = env();
    e.insert(u"PORTOSER_SECRETS_PASSPHRASE"_s, u"api-test-pass"_s);
    QVERIFY2(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s}, e),
             qPrintable(m_serve->output()));
    const QString admin =
        cli({u"token"_s, u"create"_s, u"--role"_s, u"admin"_s, u"--name"_s, u"root"_s});
    const QString operatorToken =
        cli({u"token"_s, u"create"_s, u"--role"_s, u"operator"_s, u"--name"_s, u"ops"_s});
    const QString viewer =
        cli({u"token"_s, u"create"_s, u"--role"_s, u"viewer"_s, u"--name"_s, u"eyes"_s});
    QTest::qWait(2100);
    const QByteArray canary = "canary-api-4d2e";
    QCOMPARE(m_serve
                 ->request("PUT", u"/api/v1/secrets"_s,
                           R"({"path":"services/api","key":"API_KEY","value":")" + canary + "\"}",
                           bearer(operatorToken))
                 .status,
             403);
    const auto put = m_serve->request(
        "PUT", u"/api/v1/secrets"_s,
        R"({"path":"services/api","key":"API_KEY","value":")" + canary + "\"}", bearer(admin));
    QCOMPARE(put.status, 200);
    QCOMPARE(put.json()[u"version"_s].toInt(), 1);
    QVERIFY(!put.body.contains(canary));

    // Operators see names and versions, never values; viewers not even those.
    QCOMPARE(m_serve->request("GET", u"/api/v1/secrets"_s, {}, bearer(viewer)).status, 403);
    const auto listed = m_serve->request("GET", u"/api/v1/secrets"_s, {}, bearer(operatorToken));
    QCOMPARE(listed.status, 200);
    QCOMPARE(listed.json()[u"secrets"_s][0][u"key"_s].toString(), u"API_KEY"_s);
    QVERIFY(!listed.body.contains(canary));
    const auto versions =
        m_serve->request("GET", u"/api/v1/secrets/versions?path=services/api&key=API_KEY"_s, {},
                         bearer(operatorToken));
    QCOMPARE(versions.json()[u"versions"_s].toArray().size(), 1);
    QCOMPARE(m_serve
                 ->request("POST", u"/api/v1/secrets/reveal"_s,
                           R"({"path":"services/api","key":"API_KEY"})", bearer(operatorToken))
                 .status,
             403);
    const auto revealed =
        m_serve->request("POST", u"/api/v1/secrets/reveal"_s,
                         R"({"path":"services/api","key":"API_KEY"})", bearer(admin));
    QCOMPARE(revealed.status, 200);
    QCOMPARE(revealed.json()[u"value"_s].toString().toLatin1(), canary);
    const auto missing = m_serve->request("POST", u"/api/v1/secrets/reveal"_s,
                                          R"({"path":"services/api","key":"NOPE"})", bearer(admin));
    QCOMPARE(missing.status, 404);
    const auto imported = m_serve->request("POST", u"/api/v1/secrets/import"_s,
                                           R"({"path":"services/api","content":"API_KEY=)" + canary
                                               + "\\nOTHER='x y'\\n\"}",
                                           bearer(admin));
    QCOMPARE(imported.status, 200);
    QCOMPARE(imported.json()[u"written"_s].toArray(), QJsonArray{u"OTHER"_s});

    // The audit log has the reveal and the changes, and the value in none of them.
    int code = -1;
    const QString audit = cli({u"audit"_s, u"list"_s, u"--json"_s}, &code);
    QCOMPARE(code, 0);
    QVERIFY(audit.contains(u"POST /api/v1/secrets/reveal"_s));
    QVERIFY(audit.contains(u"PUT /api/v1/secrets"_s));
    QVERIFY2(!audit.toLatin1().contains(canary), qPrintable(audit));
    for (const QString &file : QDir(m_dir->path()).entryList({u"portoser.db*"_s}, QDir::Files)) {
        QFile db(m_dir->filePath(file));
        QVERIFY(db.open(QIODevice::ReadOnly));
        QVERIFY2(!db.readAll().contains(canary), qPrintable(file));
    }
    QVERIFY(!m_serve->output().toLatin1().contains(canary));
}

void TestApi::operatorToolsQuoteTheirArguments()
{
    QVERIFY2(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s}, env()),
             qPrintable(m_serve->output()));
    // Registering a command is an admin's act, never open mode's.
    const QByteArray admin =
        cli({u"token"_s, u"create"_s, u"--role"_s, u"admin"_s, u"--name"_s, u"root"_s}).toLatin1();
    const auto asAdmin = [this, admin](const QByteArray &method, const QString &path,
                                       const QByteArray &body = {}, Headers headers = {}) {
        headers.emplaceBack("Authorization", "Bearer " + admin);
        return m_serve->request(method, path, body, headers);
    };
    auto tool = [](const QString &name, const QString &host, const QString &command) {
        return QJsonDocument(
                   QJsonObject{
                       {u"name"_s, name},
                       {u"description"_s, u"Prints its text"_s},
                       {u"host"_s, host},
                       {u"command"_s, command},
                       {u"input_schema"_s,
                        QJsonObject{{u"type"_s, u"object"_s},
                                    {u"properties"_s,
                                     QJsonObject{{u"text"_s, QJsonObject{{u"type"_s, u"string"_s},
                                                                         {u"maxLength"_s, 200}}}}},
                                    {u"required"_s, QJsonArray{u"text"_s}}}}})
            .toJson();
    };
    const auto undeclared = asAdmin("POST", u"/api/v1/mcp/tools"_s,
                                    tool(u"echo_text"_s, u"alpha"_s, u"echo {text} {other}"_s));
    QCOMPARE(undeclared.status, 400);
    QVERIFY(undeclared.json()[u"error"_s][u"message"_s].toString().contains(
        u"{other}, which input_schema does not declare"_s));
    QCOMPARE(
        asAdmin("POST", u"/api/v1/mcp/tools"_s, tool(u"deploy"_s, u"alpha"_s, u"echo {text}"_s))
            .status,
        400);
    QCOMPARE(asAdmin("POST", u"/api/v1/mcp/tools"_s,
                     tool(u"echo_text"_s, u"nowhere"_s, u"echo {text}"_s))
                 .status,
             400);
    // A placeholder the shell would not read as one word is refused (finding 6).
    for (const QString &unsafe :
         {u"echo \"{text}\""_s, u"echo '{text}'"_s, u"cat <<EOF\n{text}\nEOF"_s, u"echo ${text}"_s,
          u"echo \"$(printf %s \"{text}\")\""_s, u"# don't\necho '{text}'"_s,
          u"echo $(( {text} + 1 ))"_s, u"eval echo {text}"_s, u"echo \\{text}"_s, u"sh -c {text}"_s,
          u"[[ {text} -eq 1 ]]"_s,
          // A second review: commands that read a word as code or run it (each ran `id` as root
          // for a viewer), a quoted command name that hid eval, and a placeholder as the command.
          u"sed -n {text} /etc/hostname"_s, u"awk {text} /etc/hostname"_s, u"\"eval\" {text}"_s,
          u"trap {text} EXIT"_s, u"/usr/bin/python3 -c {text}"_s, u"env X=1 {text}"_s,
          u"find /tmp -name x -exec {text} ;"_s, u"docker exec web {text}"_s, u"{text} --help"_s,
          u"ls | xargs {text}"_s, u"e\\val {text}"_s}) {
        const auto refusedTool =
            asAdmin("POST", u"/api/v1/mcp/tools"_s, tool(u"echo_text"_s, u"alpha"_s, unsafe));
        QVERIFY2(refusedTool.status == 400, qPrintable(unsafe));
    }
    const auto created = asAdmin("POST", u"/api/v1/mcp/tools"_s,
                                 tool(u"echo_text"_s, u"alpha"_s, u"printf '%s\\n' {text}"_s));
    QCOMPARE(created.status, 201);
    QCOMPARE(asAdmin("GET", u"/api/v1/mcp/tools"_s).json()[u"tools"_s][0][u"name"_s].toString(),
             u"echo_text"_s);

    const Headers accept{{"Accept", "application/json, text/event-stream"}};
    const auto init = asAdmin(
        "POST", u"/mcp"_s,
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})",
        accept);
    Headers session = accept;
    session.emplaceBack("Mcp-Session-Id", init.header("Mcp-Session-Id"));
    const auto tools =
        asAdmin("POST", u"/mcp"_s, R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", session);
    QVERIFY(tools.body.contains("\"name\":\"echo_text\""));

    // A hostile argument is one word: printed back, never run.
    const QString pwned = m_dir->filePath(u"pwned"_s);
    const QString hostile = u"x'; touch "_s + pwned + u"; echo '$(id)"_s;
    const QJsonObject call{
        {u"jsonrpc"_s, u"2.0"_s},
        {u"id"_s, 3},
        {u"method"_s, u"tools/call"_s},
        {u"params"_s, QJsonObject{{u"name"_s, u"echo_text"_s},
                                  {u"arguments"_s, QJsonObject{{u"text"_s, hostile}}}}}};
    const auto ran = asAdmin("POST", u"/mcp"_s, QJsonDocument(call).toJson(), session);
    const QJsonObject result = ran.json()[u"result"_s].toObject();
    QCOMPARE(result.value(u"isError"_s).toBool(), false);
    QCOMPARE(result[u"structuredContent"_s][u"stdout"_s].toString(), hostile + u'\n');
    QVERIFY(!QFile::exists(pwned));

    // An argument that would be read as an option is refused, not run.
    QJsonObject option = call;
    option.insert(u"params"_s, QJsonObject{{u"name"_s, u"echo_text"_s},
                                           {u"arguments"_s, QJsonObject{{u"text"_s, u"-v"_s}}}});
    const auto asOption = asAdmin("POST", u"/mcp"_s, QJsonDocument(option).toJson(), session);
    QVERIFY2(asOption.body.contains("would take for an option"), asOption.body.constData());

    QJsonObject wrongType = call;
    wrongType.insert(u"params"_s, QJsonObject{{u"name"_s, u"echo_text"_s},
                                              {u"arguments"_s, QJsonObject{{u"text"_s, 5}}}});
    const auto refused = asAdmin("POST", u"/mcp"_s, QJsonDocument(wrongType).toJson(), session);
    QCOMPARE(refused.json()[u"result"_s][u"isError"_s].toBool(), true);
    QVERIFY(refused.body.contains("text: expected a string"));

    QCOMPARE(asAdmin("DELETE", u"/api/v1/mcp/tools/echo_text"_s).status, 200);
    const auto gone = asAdmin("POST", u"/mcp"_s, QJsonDocument(call).toJson(), session);
    QCOMPARE(gone.json()[u"error"_s][u"code"_s].toInt(), -32602);

    // The CLI manages the same table.
    QFile file(m_dir->filePath(u"tool.json"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(tool(u"say"_s, u"beta"_s, u"echo {text}"_s));
    file.close();
    int code = -1;
    cli({u"tools"_s, u"add"_s, file.fileName()}, &code);
    QCOMPARE(code, 0);
    QVERIFY(cli({u"tools"_s, u"list"_s, u"--json"_s}).contains(u"\"name\": \"say\""_s));
    cli({u"tools"_s, u"remove"_s, u"say"_s}, &code);
    QCOMPARE(code, 0);
    cli({u"tools"_s, u"remove"_s, u"say"_s}, &code);
    QCOMPARE(code, 1);
}

void TestApi::settingsFileReloadAndGracefulStop()
{
    const QString conf = m_dir->filePath(u"serve.conf"_s);
    auto write = [&](const QByteArray &text) {
        QFile f(conf);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
    };
    // A wrong key is named with file and line, and nothing starts.
    write("# comment\nlisten = 127.0.0.1:0\nrate-limt = 5\n");
    QProcess bad;
    bad.setProcessEnvironment(env());
    bad.setProcessChannelMode(QProcess::MergedChannels);
    bad.start(qEnvironmentVariable("PORTOSER_BINARY"),
              QStringList{u"--serve"_s, u"--config"_s, conf} + registryArgs());
    QVERIFY(bad.waitForFinished(10000));
    QCOMPARE(bad.exitCode(), 2);
    QVERIFY2(bad.readAll().contains(":3: unknown setting 'rate-limt'"), "file:line named");

    // Settings apply (a tiny rate limit shows), and SIGHUP re-reads the registry.
    write("registry = " + registryArgs().at(1).toUtf8() + "\nno-heal = true\nrate-limit = 3\n");
    QVERIFY2(m_serve->start({u"--config"_s, conf}, env()), qPrintable(m_serve->output()));
    QTRY_VERIFY_WITH_TIMEOUT(m_serve->output().contains(u"observing only (--no-heal)"_s), 5000);
    int limited = 0;
    for (int i = 0; i < 12; ++i)
        limited += m_serve->request("GET", u"/healthz"_s).status == 429;
    QVERIFY(limited > 0);
    QTest::qWait(2000);

    QFile registry(registryArgs().at(1));
    QVERIFY(registry.open(QIODevice::Append));
    registry.write("\n  extra:\n    current_host: alpha\n    deployment_type: process\n    "
                   "command: sleep 1000\n");
    registry.close();
    const QString pid = QString::number(m_serve->pid());
    QProcess::execute(u"kill"_s, {u"-HUP"_s, pid});
    QTRY_VERIFY_WITH_TIMEOUT(m_serve->output().contains(u"registry reloaded"_s), 5000);
    QTest::qWait(1200);
    QCOMPARE(m_serve->request("GET", u"/api/v1/services"_s).json()[u"services"_s].toArray().size(),
             4);

    // SIGTERM during a job: the job finishes (its record says so), then the process exits 0.
    const auto accepted = m_serve->request("POST", u"/api/v1/deploy"_s, R"({"services":["api"]})");
    QCOMPARE(accepted.status, 202);
    QProcess::execute(u"kill"_s, {u"-TERM"_s, pid});
    QCOMPARE(m_serve->waitForExit(60000), 0);
    QVERIFY(m_serve->output().contains(u"stopping after the running job"_s));
    const QJsonArray history =
        QJsonDocument::fromJson(cli({u"history"_s, u"list"_s, u"api"_s, u"--json"_s}).toUtf8())
            .array();
    QVERIFY2(!history.isEmpty(), "the deploy was recorded");
    QCOMPARE(history.first()[u"outcome"_s].toString(), u"succeeded"_s);
}

void TestApi::metricsOverTimeAndForPrometheus()
{
    cli({u"deploy"_s});
    QVERIFY2(m_serve->start(registryArgs(), env()), qPrintable(m_serve->output()));
    // The watchdog's first pass keeps its observations: api's "up" series appears.
    const auto upOf = [this](const QString &service) {
        const QJsonObject o =
            m_serve->request("GET", u"/api/v1/metrics/"_s + service + u"?since=10m"_s)
                .json()
                .object();
        for (const QJsonValue &series : o.value(u"series"_s).toArray()) {
            if (series[u"name"_s] == u"up"_s)
                return series[u"points"_s].toArray().last()[1].toDouble(-1);
        }
        return -1.0;
    };
    QTRY_COMPARE_WITH_TIMEOUT(upOf(u"api"_s), 1.0, 20000);
    const QJsonObject api = m_serve->request("GET", u"/api/v1/metrics/api"_s).json().object();
    QCOMPARE(api.value(u"service"_s).toString(), u"api"_s);
    QCOMPARE(api[u"availability"_s][u"uptime_pct_24h"_s].toDouble(), 100.0);
    const QJsonObject alpha =
        m_serve->request("GET", u"/api/v1/metrics/alpha?since=1h"_s).json().object();
    QCOMPARE(alpha.value(u"host"_s).toString(), u"alpha"_s);
    QVERIFY(!alpha.value(u"series"_s).toArray().isEmpty());
    QCOMPARE(m_serve->request("GET", u"/api/v1/metrics/nope"_s).status, 404);
    QCOMPARE(m_serve->request("GET", u"/api/v1/metrics/api?since=5x"_s).status, 400);

    // One scrape covers the cluster: per-host and per-service series, labelled, and the whole
    // text passes Prometheus's own linter.
    const auto scrape = m_serve->request("GET", u"/metrics"_s);
    QCOMPARE(scrape.status, 200);
    QVERIFY2(scrape.body.contains("portoser_service_up{host=\"alpha\",service=\"site\"} 1\n")
                 && scrape.body.contains("portoser_host_reachable{host=\"beta\"} 1\n")
                 && scrape.body.contains("# HELP portoser_host_load1 "),
             scrape.body.constData());
    const QString promtool = QStandardPaths::findExecutable(u"promtool"_s);
    QVERIFY2(!promtool.isEmpty(), "promtool is missing (scripts/setup installs prometheus)");
    QProcess check;
    check.start(promtool, {u"check"_s, u"metrics"_s});
    check.write(scrape.body);
    check.closeWriteChannel();
    QVERIFY(check.waitForFinished(30000));
    QVERIFY2(check.exitCode() == 0,
             QByteArray(check.readAllStandardOutput() + check.readAllStandardError()).constData());
}

void TestApi::cliDeploysThroughTheCoordinator()
{
    QVERIFY2(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s}, env()),
             qPrintable(m_serve->output()));
    const QString token =
        cli({u"token"_s, u"create"_s, u"--role"_s, u"operator"_s, u"--name"_s, u"laptop"_s});
    QTest::qWait(2100);
    auto remote = [&](const QStringList &args, const QString &withToken, int *code) {
        QProcess p;
        QProcessEnvironment e = env();
        e.insert(u"PORTOSER_SERVER"_s, m_serve->url({}));
        if (!withToken.isEmpty())
            e.insert(u"PORTOSER_TOKEN"_s, withToken);
        p.setProcessEnvironment(e);
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(qEnvironmentVariable("PORTOSER_BINARY"),
                QStringList{u"--cli"_s} + registryArgs() + args);
        p.waitForFinished(60000);
        *code = p.exitCode();
        return QString::fromUtf8(p.readAll());
    };
    int code = -1;
    QString out = remote({u"deploy"_s, u"api"_s}, {}, &code);
    QCOMPARE(code, 1);
    QVERIFY2(out.contains(u"set PORTOSER_TOKEN"_s), qPrintable(out));

    out = remote({u"deploy"_s, u"api"_s, u"--dry-run"_s}, token, &code);
    QCOMPARE(code, 0);
    QVERIFY2(out.contains(u"fresh"_s), qPrintable(out));
    out = remote({u"deploy"_s, u"api"_s}, token, &code);
    QCOMPARE(code, 0);
    QVERIFY2(out.contains(u"[api@beta] health"_s) && out.contains(u"succeeded"_s), qPrintable(out));
    out = remote({u"deploy"_s, u"api"_s}, token, &code);
    QCOMPARE(code, 0);
    QVERIFY2(out.contains(u"Nothing to do"_s), qPrintable(out));
    // The coordinator did it: its record names the token, not this machine's user.
    const QJsonArray history =
        QJsonDocument::fromJson(cli({u"history"_s, u"list"_s, u"api"_s, u"--json"_s}).toUtf8())
            .array();
    QCOMPARE(history.first()[u"actor"_s].toString(), u"token:laptop"_s);
}

void TestApi::plainCliGoesThroughTheCoordinatorHere()
{
    QVERIFY2(m_serve->start(registryArgs() + QStringList{u"--no-heal"_s}, env()),
             qPrintable(m_serve->output()));
    const QString login = QString::fromLocal8Bit(::getpwuid(::geteuid())->pw_name);
    auto run = [&](const QStringList &args, int *code) {
        QProcess p;
        p.setProcessEnvironment(env()); // no PORTOSER_SERVER, no token
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(qEnvironmentVariable("PORTOSER_BINARY"),
                QStringList{u"--cli"_s} + registryArgs() + args);
        p.waitForFinished(60000);
        *code = p.exitCode();
        return QString::fromUtf8(p.readAll());
    };
    auto newestActor = [&] {
        return QJsonDocument::fromJson(
                   cli({u"history"_s, u"list"_s, u"api"_s, u"--json"_s}).toUtf8())
            .array()
            .first()[u"actor"_s]
            .toString();
    };

    // No flag and no token: the coordinator of this registry answers on its local socket and
    // knows the caller from the socket's peer credentials.
    int code = -1;
    QString out = run({u"deploy"_s, u"api"_s}, &code);
    QCOMPARE(code, 0);
    QVERIFY2(out.contains(u"[api@beta] health"_s) && out.contains(u"succeeded"_s), qPrintable(out));
    QCOMPARE(newestActor(), u"local:"_s + login);
    bool audited = false;
    for (const QJsonValue &v :
         QJsonDocument::fromJson(cli({u"audit"_s, u"list"_s, u"--json"_s}).toUtf8()).array())
        audited |= v[u"action"_s] == u"POST /api/v1/deploy"_s
                   && v[u"actor"_s] == QJsonValue(u"local:"_s + login)
                   && v[u"peer"_s] == u"unix socket"_s && v[u"status"_s].toInt() == 202;
    QVERIFY2(audited, qPrintable(cli({u"audit"_s, u"list"_s})));
    out = run({u"deploy"_s, u"api"_s}, &code);
    QVERIFY2(code == 0 && out.contains(u"Nothing to do"_s), qPrintable(out));
    // Stop, start, restart and rollback go the same way, each one job of the coordinator.
    out = run({u"stop"_s, u"api"_s}, &code);
    QVERIFY2(code == 0 && out.contains(u"api: succeeded"_s), qPrintable(out));
    QCOMPARE(newestActor(), u"local:"_s + login);
    out = run({u"start"_s, u"api"_s}, &code);
    QVERIFY2(code == 0 && out.contains(u"[api@beta] health"_s), qPrintable(out));
    QCOMPARE(newestActor(), u"local:"_s + login);
    const qint64 started =
        QJsonDocument::fromJson(cli({u"history"_s, u"list"_s, u"api"_s, u"--json"_s}).toUtf8())
            .array()
            .first()[u"id"_s]
            .toInteger();
    out = run({u"restart"_s, u"api"_s}, &code);
    QVERIFY2(code == 0 && out.contains(u"succeeded"_s), qPrintable(out));
    out = run({u"history"_s, u"rollback"_s, QString::number(started)}, &code);
    QVERIFY2(code == 0 && out.contains(u"succeeded"_s), qPrintable(out));
    QCOMPARE(newestActor(), u"local:"_s + login);

    // Only its user may open the socket's directory.
    // Where the coordinator put it: under its HOME (env()), not this test process's.
    qputenv("PORTOSER_HOME", QFile::encodeName(m_dir->filePath(u".portoser"_s)));
    const QString socket = Portoser::LocalEndpoint::socketPath(registryArgs().at(1));
    qunsetenv("PORTOSER_HOME");
    QVERIFY2(QFileInfo::exists(socket), qPrintable(socket));
    QCOMPARE(QFileInfo(QFileInfo(socket).absolutePath()).permissions() & 0x0077, 0);
    // What is not HTTP gets the API's error shape, and the connection ends.
    {
        QLocalSocket raw;
        raw.connectToServer(socket);
        QVERIFY2(raw.waitForConnected(2000), qPrintable(raw.errorString()));
        raw.write("GARBAGE\r\n\r\n");
        QByteArray answer;
        while (raw.state() == QLocalSocket::ConnectedState && raw.waitForReadyRead(5000))
            answer += raw.readAll();
        answer += raw.readAll();
        QVERIFY2(answer.startsWith("HTTP/1.1 400") && answer.contains("\"code\":\"bad_request\""),
                 answer.constData());
    }

    // --local reaches the hosts from the CLI itself.
    out = run({u"deploy"_s, u"api"_s, u"--force"_s, u"--local"_s}, &code);
    QVERIFY2(code == 0, qPrintable(out));
    QCOMPARE(newestActor(), u"cli:"_s + login);

    // A registry that names the coordinator is worked through it from anywhere (here: a copy of
    // the registry, so no local socket matches it), and no other watchdog starts while it answers.
    const QString named = m_dir->filePath(u"demo-registry/named.yml"_s);
    {
        QFile original(registryArgs().at(1));
        QVERIFY(original.open(QIODevice::ReadOnly));
        QFile copy(named);
        QVERIFY(copy.open(QIODevice::WriteOnly));
        copy.write(original.readAll() + "\ncoordinator:\n  url: " + m_serve->url({}).toUtf8()
                   + "\n");
    }
    auto runNamed = [&](const QStringList &args, int *exitCode,
                        const QList<std::pair<QString, QString>> &extra = {}) {
        QProcess p;
        QProcessEnvironment e = env();
        for (const auto &[name, value] : extra)
            e.insert(name, value);
        p.setProcessEnvironment(e);
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(qEnvironmentVariable("PORTOSER_BINARY"),
                QStringList{u"--cli"_s, u"--registry"_s, named} + args);
        p.waitForFinished(60000);
        *exitCode = p.exitCode();
        return QString::fromUtf8(p.readAll());
    };
    out = runNamed({u"deploy"_s, u"api"_s, u"--force"_s}, &code);
    QVERIFY2(code == 0 && out.contains(u"[api@beta] health"_s), qPrintable(out));
    QVERIFY2(!newestActor().startsWith(u"cli:"_s), qPrintable(newestActor()));
    out = runNamed({u"heal"_s, u"--watch"_s}, &code);
    QCOMPARE(code, 1);
    QVERIFY2(out.contains(u"not watching"_s) && out.contains(u"one healer per cluster"_s),
             qPrintable(out));

    // The operator's token goes to a coordinator a registry names only when PORTOSER_SERVER names
    // it too: a registry file from a pull request could name any server.
    const QString token =
        cli({u"token"_s, u"create"_s, u"--role"_s, u"operator"_s, u"--name"_s, u"named"_s});
    QVERIFY2(token.startsWith(u"pt_"_s), qPrintable(token));
    QTest::qWait(2100); // the server re-reads tokens at most every two seconds
    out = runNamed({u"deploy"_s, u"api"_s, u"--force"_s}, &code, {{u"PORTOSER_TOKEN"_s, token}});
    QVERIFY2(code != 0 && out.contains(u"PORTOSER_SERVER="_s + m_serve->url({})), qPrintable(out));
    out = runNamed({u"deploy"_s, u"api"_s, u"--force"_s}, &code,
                   {{u"PORTOSER_TOKEN"_s, token}, {u"PORTOSER_SERVER"_s, m_serve->url({})}});
    QVERIFY2(code == 0, qPrintable(out));
    QCOMPARE(newestActor(), u"token:named"_s);

    // With the coordinator gone (its socket file gone with it) the CLI works as before.
    m_serve->stop();
    QVERIFY(!QFileInfo::exists(socket));
    out = run({u"deploy"_s, u"api"_s, u"--force"_s}, &code);
    QVERIFY2(code == 0, qPrintable(out));
    QCOMPARE(newestActor(), u"cli:"_s + login);
}

void TestApi::localSocketDirectoryMustBeOurs()
{
    using namespace Portoser;
    const QString base = m_dir->filePath(u"sockets"_s);
    QVERIFY(QDir().mkpath(base));
    // Made 0700 when missing; an existing one of ours that others could read is closed.
    QVERIFY(LocalEndpoint::prepareDirectory(base + u"/mine/serve.sock"_s));
    QVERIFY(QDir().mkpath(base + u"/open"_s));
    QVERIFY(QFile::setPermissions(base + u"/open"_s, QFile::ReadOwner | QFile::WriteOwner
                                                         | QFile::ExeOwner | QFile::ReadOther
                                                         | QFile::ExeOther));
    QVERIFY(LocalEndpoint::prepareDirectory(base + u"/open/serve.sock"_s));
    QCOMPARE(QFileInfo(base + u"/open"_s).permissions() & 0x0077, 0);
    // A symlink (another user's planted path) and a directory of another user are refused.
    QVERIFY(QFile::link(base + u"/mine"_s, base + u"/link"_s));
    QVERIFY(!LocalEndpoint::prepareDirectory(base + u"/link/serve.sock"_s));
    QVERIFY(!LocalEndpoint::checkDirectory(base + u"/link/serve.sock"_s));
    if (::geteuid() == 0) {
        QVERIFY(QDir().mkpath(base + u"/theirs"_s));
        QCOMPARE(::chown(QFile::encodeName(base + u"/theirs"_s).constData(), 65534, 65534), 0);
        const auto refused = LocalEndpoint::prepareDirectory(base + u"/theirs/serve.sock"_s);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(u"belongs to uid 65534"_s),
                 qPrintable(refused.error().message));
    }
}

void TestApi::twoCoordinatorsOnPostgresHealOneAtATime()
{
    const QString url = qEnvironmentVariable("PORTOSER_TEST_PG_URL");
    QVERIFY2(!url.isEmpty(), "needs PORTOSER_TEST_PG_URL: ctest's test_postgres fixture starts a "
                             "server and sets it (by hand: tests/db/portoser-test-postgres up)");
    QProcessEnvironment e = env();
    e.insert(u"PORTOSER_DB"_s, url);
    ServeProcess first, second;
    QVERIFY2(first.start(registryArgs(), e), qPrintable(first.output()));
    QTRY_VERIFY_WITH_TIMEOUT(first.output().contains(u"this coordinator leads the healer"_s),
                             15000);
    QVERIFY2(second.start(registryArgs(), e), qPrintable(second.output()));
    QTRY_VERIFY_WITH_TIMEOUT(
        second.output().contains(u"another coordinator on this database leads"_s), 15000);
    QVERIFY(!second.output().contains(u"this coordinator leads"_s));
    first.kill(); // a crash: its connection closes, the advisory lock goes with it
    QTRY_VERIFY_WITH_TIMEOUT(second.output().contains(u"this coordinator leads the healer"_s),
                             30000);
}

QTEST_GUILESS_MAIN(TestApi)
#include "TestApi.moc"
