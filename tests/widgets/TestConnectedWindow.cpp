// SPDX-License-Identifier: Apache-2.0
// The desktop window as a client of a real `portoser --serve` on the namespace hosts: a drag
// moves a service through the coordinator (audited under the window's token), a CLI deploy from
// elsewhere shows in the window's history within two seconds without a refresh, a viewer's
// window offers no change, and a coordinator that goes away is shown and reconnected to.
#include "core/Orchestrator.h"
#include "tests/support/ServeProcess.h"
#include "tests/support/TempRegistry.h"
#include "tests/support/TestHosts.h"
#include "tests/support/TopologyDrag.h"
#include "widgets/CoordinatorLink.h"
#include "widgets/DeployPanel.h"
#include "widgets/HistoryModel.h"
#include "widgets/HistoryPage.h"
#include "widgets/MainWindow.h"
#include "widgets/OidcLogin.h"
#include "widgets/SecretsPage.h"
#include "widgets/StagedMoves.h"

#include <QAction>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>
#include <QUrlQuery>

using namespace Portoser;
using namespace Portoser::Test;
using namespace Qt::Literals::StringLiterals;

class TestConnectedWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void dragMovesThroughTheCoordinator();
    void deployElsewhereShowsWithinTwoSeconds();
    void viewerSeesButCannotChange();
    void lostCoordinatorIsShownAndRejoined();
    void wrongTokenIsRefusedWithReason();
    void registryNamedCoordinatorGetsNoEnvironmentToken();
    void secretsThroughTheCoordinator();
    void oidcSignInWithPkceAgainstTheIssuer();

private:
    QProcessEnvironment env() const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(u"PORTOSER_HOME"_s, m_temp->path(u"home"_s));
        e.insert(u"PORTOSER_DB"_s, m_temp->path(u"portoser.db"_s));
        e.remove(u"PORTOSER_TOKEN"_s);
        e.insert(u"PORTOSER_SECRETS_PASSPHRASE"_s, u"the connected window's test store"_s);
        e.insert(u"PORTOSER_SECRETS_FILE"_s, m_temp->path(u"secrets.enc"_s));
        return e;
    }
    QString cli(const QStringList &args, const QString &token = {}) const
    {
        QProcess p;
        QProcessEnvironment e = env();
        if (!token.isEmpty())
            e.insert(u"PORTOSER_TOKEN"_s, token);
        p.setProcessEnvironment(e);
        p.start(qEnvironmentVariable("PORTOSER_BINARY"),
                QStringList{u"--cli"_s, u"--registry"_s, m_temp->path()} + args);
        p.waitForFinished(120000);
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    }
    /** A window connected with `token`, the registry drawn. */
    std::unique_ptr<MainWindow> connectedWindow(const QString &token)
    {
        auto link = std::make_unique<CoordinatorLink>(QUrl(m_serve.url({})), token.toLatin1());
        auto connected = link->connectToCoordinator();
        QElapsedTimer clock;
        clock.start();
        while (!connected.isFinished() && clock.elapsed() < 15000)
            QTest::qWait(20);
        if (!connected.isFinished() || !connected.result()) {
            qWarning("cannot connect: %s", connected.isFinished()
                                               ? qPrintable(connected.result().error().message)
                                               : "no answer in 15 s");
            return {};
        }
        auto window = std::make_unique<MainWindow>(std::move(link));
        window->show();
        return window;
    }
    Registry registry() const { return Orchestrator().checkRegistry(m_temp->path()).registry; }

    TestHosts m_hosts;
    std::unique_ptr<TempRegistry> m_temp;
    ServeProcess m_serve;
    QString m_operator, m_viewer, m_admin;
};

void TestConnectedWindow::initTestCase()
{
    m_hosts = TestHosts::fromEnvironment();
    if (m_hosts.size() < 2)
        QSKIP("needs root and two namespace test hosts (network namespaces, sshd)");
    m_temp = std::make_unique<TempRegistry>();
    qputenv("PORTOSER_HOME", m_temp->path(u"home"_s).toUtf8());
    qputenv("PORTOSER_DB", m_temp->path(u"portoser.db"_s).toUtf8());
    qputenv("XDG_CONFIG_HOME", m_temp->path(u"config"_s).toUtf8());
    m_temp->write(u"src/linked/index.html"_s, "served through the coordinator\n");
    m_temp->writeRegistry(
        m_hosts.registryFragment()
        + "services:\n  linked:\n    current_host: h1\n"
          "    deployment_type: process\n    source: src/linked\n"
          "    command: python3 -m http.server 19183 --bind 0.0.0.0\n"
          "    port: 19183\n    stop_timeout: 3\n"
          "    health: {type: http, path: /index.html, interval: 1, retries: 10}\n");
    DeployOptions options;
    options.autoHeal = false;
    const auto first = Orchestrator().deploy(registry(), QStringList{u"linked"_s}, options);
    QVERIFY2(first && first->first().succeeded(),
             first ? qPrintable(first->first().reason) : qPrintable(first.error().message));

    m_operator = cli({u"token"_s, u"create"_s, u"--role"_s, u"operator"_s, u"--name"_s, u"ops"_s});
    m_viewer = cli({u"token"_s, u"create"_s, u"--role"_s, u"viewer"_s, u"--name"_s, u"watch"_s});
    m_admin = cli({u"token"_s, u"create"_s, u"--role"_s, u"admin"_s, u"--name"_s, u"boss"_s});
    QVERIFY2(m_operator.startsWith(u"pt_"_s) && m_viewer.startsWith(u"pt_"_s),
             qPrintable(m_viewer));
    QVERIFY2(m_serve.start({u"--registry"_s, m_temp->path()}, env()), qPrintable(m_serve.output()));
}

void TestConnectedWindow::cleanupTestCase()
{
    m_serve.stop();
    if (m_temp)
        (void)Orchestrator().stop(registry(), u"linked"_s, u"test"_s);
}

void TestConnectedWindow::dragMovesThroughTheCoordinator()
{
    auto window = connectedWindow(m_operator);
    QVERIFY(window);
    QVERIFY(window->isConnected());
    QVERIFY(window->secretsPage()); // the coordinator's, through its API
    QVERIFY(!window->findChild<QAction *>(u"watchdogAction"_s)->isEnabled()); // one healer
    QTRY_VERIFY_WITH_TIMEOUT(!window->topology()->chipPosition(u"linked"_s).isNull(), 15000);

    dragChip(window->topology(), u"linked"_s, u"h2"_s);
    QCOMPARE(window->stagedMoves()->rowCount(), 1);
    auto *deploy = window->deployPanel()->findChild<QPushButton *>(u"deployButton"_s);
    QTRY_VERIFY(deploy->isEnabled());
    QTest::mouseClick(deploy, Qt::LeftButton);
    auto *results = window->deployPanel()->findChild<QTreeWidget *>(u"deployResults"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!window->deployPanel()->isBusy() && results->topLevelItemCount() > 0,
                             90000);
    QCOMPARE(results->topLevelItem(0)->text(1), u"h2"_s);
    QCOMPARE(results->topLevelItem(0)->text(2), u"succeeded"_s);
    // The steps came from the coordinator's job, as they happened.
    auto *progress = window->deployPanel()->findChild<QTreeWidget *>(u"deployProgress"_s);
    QVERIFY(progress && progress->topLevelItemCount() > 0);

    // It answers from h2, the coordinator's registry follows, and the audit names our token.
    const auto page = m_hosts.ssh(u"h2"_s, u"curl -fsS http://127.0.0.1:19183/index.html"_s);
    QVERIFY(page);
    QCOMPARE(registry().service(u"linked"_s)->currentHost, u"h2"_s);
    const auto audit = m_serve.request("GET", u"/api/v1/audit?limit=20"_s, {},
                                       {{"Authorization", "Bearer " + m_admin.toLatin1()}});
    QCOMPARE(audit.status, 200);
    bool found = false;
    for (const QJsonValue &e : audit.json()[u"entries"_s].toArray())
        found = found
                || (e[u"actor"_s].toString() == u"token:ops"_s
                    && e[u"action"_s].toString().contains(u"changes"_s));
    QVERIFY2(found, audit.body.constData());
    // The window draws the service where the coordinator now has it.
    QTRY_VERIFY_WITH_TIMEOUT(window->stagedMoves()->rowCount() == 0, 5000);
    HistoryModel *history = window->historyPage()->model();
    QTRY_VERIFY_WITH_TIMEOUT(
        history->rowCount() > 0 && history->record(0).action == RecordAction::Move, 5000);
    QCOMPARE(history->record(0).actor, u"token:ops"_s);
}

void TestConnectedWindow::deployElsewhereShowsWithinTwoSeconds()
{
    auto window = connectedWindow(m_viewer);
    QVERIFY(window);
    HistoryModel *history = window->historyPage()->model();
    QTRY_VERIFY_WITH_TIMEOUT(history->rowCount() > 0, 10000);
    const qint64 newestBefore = history->record(0).id;

    // Another machine's CLI, through the coordinator with its own token.
    const QString out =
        cli({u"deploy"_s, u"linked"_s, u"--force"_s, u"--server"_s, m_serve.url({})}, m_operator);
    QElapsedTimer clock;
    clock.start();
    QTRY_VERIFY2_WITH_TIMEOUT(history->rowCount() > 0 && history->record(0).id > newestBefore,
                              qPrintable(out), 2000);
    qInfo("the CLI's deploy showed in the connected window %lld ms after the CLI ended",
          clock.elapsed());
    QCOMPARE(history->record(0).service, u"linked"_s);
}

void TestConnectedWindow::viewerSeesButCannotChange()
{
    auto window = connectedWindow(m_viewer);
    QVERIFY(window);
    QVERIFY(window->link()->role() == Role::Viewer);
    QVERIFY(!window->secretsPage()); // listing secrets needs the operator role
    QTRY_VERIFY_WITH_TIMEOUT(!window->topology()->chipPosition(u"linked"_s).isNull(), 15000);
    auto *deploy = window->deployPanel()->findChild<QPushButton *>(u"deployButton"_s);
    dragChip(window->topology(), u"linked"_s, u"h1"_s);
    QCOMPARE(window->stagedMoves()->rowCount(), 1);
    QVERIFY(!deploy->isEnabled());
    QVERIFY2(deploy->toolTip().contains(u"operator"_s), qPrintable(deploy->toolTip()));
    QVERIFY(window->topology()->actionRefusal().contains(u"operator"_s));
    auto *rollback = window->historyPage()->findChild<QPushButton *>(u"rollbackButton"_s);
    QVERIFY(!rollback->isEnabled());
    // Looking is a viewer's right: the plan of the staged move comes from the coordinator.
    window->deployPanel()->plan();
    auto *plan = window->deployPanel()->findChild<QTreeWidget *>(u"planTree"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!window->deployPanel()->isBusy(), 30000);
    QVERIFY(plan && plan->topLevelItemCount() == 1);
    QCOMPARE(plan->topLevelItem(0)->text(2), u"move"_s);
    window->stagedMoves()->clear();
}

void TestConnectedWindow::lostCoordinatorIsShownAndRejoined()
{
    auto window = connectedWindow(m_viewer);
    QVERIFY(window);
    auto *label = window->findChild<QLabel *>(u"connectionLabel"_s);
    QVERIFY(label);
    QTRY_VERIFY(label->text().contains(m_serve.url({}).section(u"://"_s, 1)));
    const quint16 port = m_serve.port();
    m_serve.stop();
    QTRY_VERIFY_WITH_TIMEOUT(label->text().contains(u"Disconnected"_s), 10000);
    QVERIFY2(m_serve.start({u"--registry"_s, m_temp->path()}, env(), port),
             qPrintable(m_serve.output()));
    QTRY_VERIFY_WITH_TIMEOUT(!label->text().contains(u"Disconnected"_s), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!window->topology()->chipPosition(u"linked"_s).isNull(), 10000);
}

void TestConnectedWindow::wrongTokenIsRefusedWithReason()
{
    CoordinatorLink link(QUrl(m_serve.url({})), "pt_not-a-token");
    auto connected = link.connectToCoordinator();
    QTRY_VERIFY_WITH_TIMEOUT(connected.isFinished(), 15000);
    QVERIFY(!connected.result());
    QCOMPARE(connected.result().error().code, ErrorCode::PermissionDenied);
    QVERIFY(!connected.result().error().message.isEmpty());
}

void TestConnectedWindow::registryNamedCoordinatorGetsNoEnvironmentToken()
{
    // A registry file may come from anywhere and name any server: $PORTOSER_TOKEN goes only to a
    // coordinator the operator named (--connect, the dialog), never to one a registry names.
    qputenv("PORTOSER_TOKEN", m_operator.toLatin1());
    const auto unset = qScopeGuard([] { qunsetenv("PORTOSER_TOKEN"); });
    const auto open = [this](bool namedByRegistry) {
        MainWindow::SignIn signIn;
        signIn.namedByRegistry = namedByRegistry;
        std::unique_ptr<MainWindow> opened;
        QString failure;
        QObject context;
        bool done = false;
        MainWindow::openOnCoordinator(
            m_serve.url({}), signIn, &context,
            [&](MainWindow *w) {
                opened.reset(w);
                done = true;
            },
            [&](const QString &why) {
                failure = why;
                done = true;
            });
        QElapsedTimer clock;
        clock.start();
        while (!done && clock.elapsed() < 15000)
            QTest::qWait(20);
        return std::pair{std::move(opened), failure};
    };
    const auto [named, why] = open(true);
    QVERIFY(!named);
    QVERIFY2(why.contains(u"401"_s) || why.contains(u"token"_s, Qt::CaseInsensitive),
             qPrintable(why));
    const auto [given, none] = open(false);
    QVERIFY2(given, qPrintable(none));
    QCOMPARE(given->link()->principal(), u"token:ops"_s);
}

void TestConnectedWindow::secretsThroughTheCoordinator()
{
    const QList<QPair<QByteArray, QByteArray>> admin{
        {"Authorization", "Bearer " + m_admin.toLatin1()}};
    const auto stored = m_serve.request(
        "PUT", u"/api/v1/secrets"_s,
        R"({"path": "services/linked", "key": "API_KEY", "value": "s3cret"})", admin);
    QVERIFY2(stored.status == 200, stored.body.constData());
    const auto revealIn = [](MainWindow &window) {
        auto *keys = window.secretsPage()->findChild<QTableWidget *>(u"secretKeysTable"_s);
        auto *paths = window.secretsPage()->findChild<QTreeWidget *>(u"secretPathsTree"_s);
        QTRY_VERIFY_WITH_TIMEOUT(paths->topLevelItemCount() > 0, 10000);
        QTreeWidgetItem *leaf = paths->topLevelItem(0);
        while (leaf->childCount() > 0)
            leaf = leaf->child(0);
        paths->setCurrentItem(leaf);
        QTRY_VERIFY(keys->rowCount() == 1);
        QCOMPARE(keys->item(0, 0)->text(), u"API_KEY"_s);
        QVERIFY(keys->item(0, 1)->text() != u"s3cret"_s); // masked until revealed
        keys->cellWidget(0, 5)->findChild<QToolButton *>(u"revealButton"_s)->click();
    };
    // An admin's window lists the coordinator's secrets and reveals a value (audited there).
    auto boss = connectedWindow(m_admin);
    QVERIFY(boss);
    revealIn(*boss);
    auto *bossKeys = boss->secretsPage()->findChild<QTableWidget *>(u"secretKeysTable"_s);
    QTRY_COMPARE_WITH_TIMEOUT(bossKeys->item(0, 1)->text(), u"s3cret"_s, 10000);
    // An operator's lists them, and is told that values need the admin role.
    auto ops = connectedWindow(m_operator);
    QVERIFY(ops);
    revealIn(*ops);
    auto *opsKeys = ops->secretsPage()->findChild<QTableWidget *>(u"secretKeysTable"_s);
    QTRY_VERIFY2_WITH_TIMEOUT(opsKeys->item(0, 1)->text().contains(u"needs admin"_s),
                              qPrintable(opsKeys->item(0, 1)->text()), 10000);
    QVERIFY(!opsKeys->item(0, 1)->text().contains(u"s3cret"_s));
}

void TestConnectedWindow::oidcSignInWithPkceAgainstTheIssuer()
{
    const QString nodeDir = qEnvironmentVariable("PORTOSER_SOURCE_DIR") + u"/tests/node"_s;
    if (!QFileInfo::exists(nodeDir + u"/node_modules/oauth2-mock-server"_s))
        QSKIP("needs the npm packages of tests/node (npm ci there)");
    QProcess issuerProcess;
    issuerProcess.setWorkingDirectory(nodeDir);
    issuerProcess.start(u"node"_s, {u"oidc-issuer.mjs"_s});
    QString said;
    static const QRegularExpression line(u"issuer (http://\\S+)"_s);
    QRegularExpressionMatch found;
    for (int i = 0; i < 100 && !found.hasMatch(); ++i) {
        issuerProcess.waitForReadyRead(200);
        said += QString::fromUtf8(issuerProcess.readAll());
        found = line.match(said);
    }
    QVERIFY2(found.hasMatch(),
             qPrintable(said + QString::fromUtf8(issuerProcess.readAllStandardError())));
    const QString issuer = found.captured(1);

    // A coordinator of its own (another registry file: one coordinator per registry here).
    m_temp->write(u"sso/registry.yml"_s,
                  m_hosts.registryFragment()
                      + "services:\n  idle:\n    current_host: h1\n"
                        "    deployment_type: process\n    command: sleep 600\n");
    ServeProcess sso;
    QVERIFY2(sso.start({u"--registry"_s, m_temp->path(u"sso/registry.yml"_s), u"--no-heal"_s,
                        u"--oidc-issuer"_s, issuer, u"--oidc-desktop-client"_s,
                        u"portoser-desktop"_s, u"--oidc-roles-claim"_s, u"realm_access.roles"_s,
                        u"--oidc-operator"_s, u"portoser-operators"_s},
                       env()),
             qPrintable(sso.output()));

    // The "browser": follows the issuer's redirect back to the window's loopback listener.
    QNetworkAccessManager browserNetwork;
    int pagesOpened = 0;
    const auto browser = [&](const QUrl &login) {
        ++pagesOpened;
        QVERIFY(QUrlQuery(login).queryItemValue(u"code_challenge_method"_s) == u"S256"_s);
        QVERIFY(
            QUrlQuery(login).queryItemValue(u"redirect_uri"_s).startsWith(u"http://127.0.0.1:"_s));
        QNetworkRequest request(login);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                             QNetworkRequest::NoLessSafeRedirectPolicy);
        QNetworkReply *reply = browserNetwork.get(request);
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
    };
    MainWindow::SignIn signIn;
    signIn.oidc = true;
    signIn.browser = browser;
    MainWindow *opened = nullptr;
    QString failure;
    QObject context;
    MainWindow::openOnCoordinator(
        sso.url({}), signIn, &context, [&](MainWindow *w) { opened = w; },
        [&](const QString &why) { failure = why; });
    QTRY_VERIFY_WITH_TIMEOUT(opened || !failure.isEmpty(), 30000);
    QVERIFY2(opened, qPrintable(failure));
    std::unique_ptr<MainWindow> window(opened);
    QCOMPARE(pagesOpened, 1);
    QCOMPARE(window->link()->principal(), u"oidc:alice"_s);
    QVERIFY(window->link()->role() == Role::Operator);

    // A refresh gives a new access token the coordinator takes too.
    OidcLogin login(QUrl(issuer), u"portoser-desktop"_s);
    login.setBrowser(browser);
    auto first = login.signIn();
    QTRY_VERIFY_WITH_TIMEOUT(first.isFinished(), 30000);
    QVERIFY2(first.result(), first.result() ? "" : qPrintable(first.result().error().message));
    QVERIFY(!first.result()->refresh.isEmpty());
    auto renewed = login.refresh(first.result()->refresh);
    QTRY_VERIFY_WITH_TIMEOUT(renewed.isFinished(), 30000);
    QVERIFY2(renewed.result(),
             renewed.result() ? "" : qPrintable(renewed.result().error().message));
    QVERIFY(!renewed.result()->access.isEmpty()); // (the same claims in the same second may
                                                  // sign to the same token: no jti here)
    CoordinatorLink again(QUrl(sso.url({})), renewed.result()->access);
    auto connected = again.connectToCoordinator();
    QTRY_VERIFY_WITH_TIMEOUT(connected.isFinished(), 15000);
    QVERIFY2(connected.result(),
             connected.result() ? "" : qPrintable(connected.result().error().message));
    QCOMPARE(again.principal(), u"oidc:alice"_s);

    issuerProcess.closeWriteChannel();
    if (!issuerProcess.waitForFinished(5000))
        issuerProcess.kill();
}

QTEST_MAIN(TestConnectedWindow)
#include "TestConnectedWindow.moc"
