// SPDX-License-Identifier: Apache-2.0
// The secrets editor on the offscreen platform, on both backends (the encrypted local store, and
// Vault through tests/vault/vault-test-server.py): add, reveal (hidden again by itself), edit with
// confirmation, restore from the history, import of a .env after its preview, delete.
#include "core/Orchestrator.h"
#include "core/secrets/LocalSecretStore.h"
#include "core/secrets/VaultSecretStore.h"
#include "widgets/SecretsPage.h"

#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>

using namespace Portoser;
using namespace Qt::Literals::StringLiterals;

class TestSecretsPage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void editorRoundTrip_data();
    void editorRoundTrip();

private:
    /** Handles the next modal dialogs, one function each, in order, as they open. */
    void answerDialogs(QList<std::function<void(QWidget *)>> handlers);
    QString valueShown(int row) const { return m_keys->item(row, 1)->text(); }
    int rowOf(const QString &key) const;
    QToolButton *button(const QString &key, const QString &name) const;
    bool waitLoaded(QSignalSpy &spy);

    QTemporaryDir m_dir;
    QProcess m_vault;
    QString m_vaultAddress;
    QTableWidget *m_keys = nullptr;
    QList<std::function<void(QWidget *)>> m_handlers;
    QTimer m_dialogPoll;
    QWidget *m_lastHandled = nullptr;
};

void TestSecretsPage::initTestCase()
{
    m_vault.start(u"python3"_s, {qEnvironmentVariable("PORTOSER_SOURCE_DIR")
                                 + u"/tests/vault/vault-test-server.py"_s});
    QVERIFY(m_vault.waitForReadyRead(15000));
    m_vaultAddress =
        u"http://127.0.0.1:"_s + QString::fromLatin1(m_vault.readLine().trimmed().mid(13));
    m_dialogPoll.setInterval(20);
    connect(&m_dialogPoll, &QTimer::timeout, this, [this] {
        QWidget *modal = QApplication::activeModalWidget();
        if (!modal || modal == m_lastHandled || m_handlers.isEmpty() || !modal->isVisible())
            return;
        m_lastHandled = modal;
        m_handlers.takeFirst()(modal);
    });
    m_dialogPoll.start();
}

void TestSecretsPage::cleanupTestCase()
{
    m_vault.terminate();
    m_vault.waitForFinished(5000);
}

void TestSecretsPage::answerDialogs(QList<std::function<void(QWidget *)>> handlers)
{
    m_handlers = std::move(handlers);
}

int TestSecretsPage::rowOf(const QString &key) const
{
    for (int r = 0; r < m_keys->rowCount(); ++r)
        if (m_keys->item(r, 0)->text() == key)
            return r;
    return -1;
}

QToolButton *TestSecretsPage::button(const QString &key, const QString &name) const
{
    const int row = rowOf(key);
    return row < 0 ? nullptr : m_keys->cellWidget(row, 5)->findChild<QToolButton *>(name);
}

bool TestSecretsPage::waitLoaded(QSignalSpy &spy)
{
    const bool got = spy.wait(20000);
    if (got && !spy.last().value(0).toString().isEmpty())
        qWarning("%s", qPrintable(spy.last().value(0).toString()));
    return got && spy.last().value(0).toString().isEmpty();
}

void TestSecretsPage::editorRoundTrip_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("local store") << u"local"_s;
    QTest::newRow("vault") << u"vault"_s;
}

namespace {

void fillAndAccept(QWidget *dialog, const QString &path, const QString &key, const QString &value)
{
    if (!path.isNull())
        dialog->findChild<QLineEdit *>(u"secretPathEdit"_s)->setText(path);
    if (!key.isNull())
        dialog->findChild<QLineEdit *>(u"secretKeyEdit"_s)->setText(key);
    QLineEdit *valueEdit = dialog->findChild<QLineEdit *>(u"secretValueEdit"_s);
    QCOMPARE(valueEdit->echoMode(), QLineEdit::Password); // typed without echo
    QTest::keyClicks(valueEdit, value);
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
}

void pressYes(QWidget *box)
{
    auto *message = qobject_cast<QMessageBox *>(box);
    QVERIFY(message);
    message->button(QMessageBox::Yes)->click();
}

} // namespace

void TestSecretsPage::editorRoundTrip()
{
    QFETCH(QString, backend);
    const QString home = m_dir.filePath(backend);
    qputenv("PORTOSER_SECRETS_FILE", (home + u"/secrets.enc"_s).toUtf8());
    qputenv("PORTOSER_SECRETS_PASSPHRASE", "gui-test");
    qputenv("PORTOSER_SECRETS_BACKEND", backend.toUtf8());
    qputenv("VAULT_ADDR", m_vaultAddress.toUtf8());
    qputenv("VAULT_TOKEN", "root-token");
    qputenv("VAULT_NAMESPACE", ("gui-" + backend).toUtf8());

    // A registry whose api uses the secret, so the page can say who uses it.
    QDir().mkpath(home);
    QFile registryFile(home + u"/registry.yml"_s);
    QVERIFY(registryFile.open(QIODevice::WriteOnly));
    registryFile.write(
        "hosts:\n  box:\n    ip: 127.0.0.1\n    transport: local\n    path: /tmp/portoser-gui-box\n"
        "services:\n  api:\n    current_host: box\n    deployment_type: process\n"
        "    command: sleep 100\n    secrets:\n"
        "      DB_PASSWORD: services/api#DB_PASSWORD\n");
    registryFile.close();
    const CheckedRegistry checked = Orchestrator().checkRegistry(registryFile.fileName());
    QVERIFY(checked.isValid());

    SecretsPage page{OrchestratorSettings{}};
    page.setRevealTimeout(400);
    page.resize(900, 500);
    page.show();
    m_keys = page.findChild<QTableWidget *>(u"secretKeysTable"_s);
    QCOMPARE(page.findChild<QComboBox *>(u"secretsBackendCombo"_s)->currentData().toString(),
             backend);
    QSignalSpy loaded(&page, &SecretsPage::loaded);
    page.setRegistry(checked.registry);
    QVERIFY(waitLoaded(loaded));
    QCOMPARE(m_keys->rowCount(), 0);

    // Add.
    answerDialogs(
        {[](QWidget *d) { fillAndAccept(d, u"services/api"_s, u"DB_PASSWORD"_s, u"first-pw"_s); }});
    page.findChild<QPushButton *>(u"addSecretButton"_s)->click();
    QVERIFY(waitLoaded(loaded));
    QCOMPARE(rowOf(u"DB_PASSWORD"_s), 0);
    QCOMPARE(m_keys->item(0, 2)->text(), u"1"_s);
    QCOMPARE(m_keys->item(0, 4)->text(), u"api"_s); // used by
    QVERIFY(valueShown(0) != u"first-pw"_s);        // masked
    // Every button of the row is whole, also in a narrow window (the table scrolls instead).
    for (const int width : {900, 520}) {
        page.resize(width, 500);
        QApplication::processEvents();
        const QRect cell = m_keys->visualRect(m_keys->model()->index(0, 5));
        for (const char *name : {"revealButton", "editButton", "historyButton", "deleteButton"}) {
            QAbstractButton *b = button(u"DB_PASSWORD"_s, QString::fromLatin1(name));
            const QRect at(b->mapTo(m_keys->viewport(), QPoint(0, 0)), b->size());
            QVERIFY2(cell.contains(at) && b->width() >= b->sizeHint().width()
                         && b->height() >= b->sizeHint().height(),
                     qPrintable(u"%1 at width %2"_s.arg(QString::fromLatin1(name)).arg(width)));
        }
    }
    page.resize(900, 500);
    auto *tree = page.findChild<QTreeWidget *>(u"secretPathsTree"_s);
    QCOMPARE(tree->topLevelItem(0)->text(0), u"services"_s);
    QCOMPARE(tree->topLevelItem(0)->child(0)->text(0), u"api"_s);

    // Reveal, and hidden again by itself.
    button(u"DB_PASSWORD"_s, u"revealButton"_s)->click();
    QTRY_COMPARE_WITH_TIMEOUT(valueShown(0), u"first-pw"_s, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(valueShown(0) != u"first-pw"_s, 5000);

    // Edit: a new value after a confirmation naming who uses it.
    QString confirmation;
    answerDialogs({[](QWidget *d) { fillAndAccept(d, QString(), QString(), u"second-pw"_s); },
                   [&confirmation](QWidget *box) {
                       confirmation = qobject_cast<QMessageBox *>(box)->text();
                       pressYes(box);
                   }});
    button(u"DB_PASSWORD"_s, u"editButton"_s)->click();
    QVERIFY(waitLoaded(loaded));
    QVERIFY2(confirmation.contains(u"Used by: api"_s), qPrintable(confirmation));
    QCOMPARE(m_keys->item(rowOf(u"DB_PASSWORD"_s), 2)->text(), u"2"_s);

    // Restore version 1 from the history (newest first: version 1 is the second row).
    answerDialogs({[](QWidget *d) {
                       auto *history = d->findChild<QTableWidget *>(u"historyTable"_s);
                       QCOMPARE(history->rowCount(), 2);
                       QCOMPARE(history->item(1, 0)->text(), u"1"_s);
                       history->selectRow(1);
                       d->findChild<QPushButton *>(u"restoreButton"_s)->click();
                   },
                   pressYes});
    button(u"DB_PASSWORD"_s, u"historyButton"_s)->click();
    QVERIFY(waitLoaded(loaded));
    QCOMPARE(m_keys->item(rowOf(u"DB_PASSWORD"_s), 2)->text(), u"3"_s);
    button(u"DB_PASSWORD"_s, u"revealButton"_s)->click();
    QTRY_COMPARE_WITH_TIMEOUT(valueShown(rowOf(u"DB_PASSWORD"_s)), u"first-pw"_s, 10000);
    // A refresh while a value is shown (another client's change, the event stream) keeps it shown.
    page.refresh();
    QVERIFY(waitLoaded(loaded));
    QCOMPARE(valueShown(rowOf(u"DB_PASSWORD"_s)), u"first-pw"_s);

    // Import a .env: the preview says what is new, changed or the same; then it is written.
    QFile env(home + u"/api.env"_s);
    QVERIFY(env.open(QIODevice::WriteOnly));
    env.write("# api\nDB_PASSWORD=first-pw\nexport API_KEY=\"k-1\"\nMODE=prod\n");
    env.close();
    QStringList preview;
    answerDialogs({[&preview](QWidget *d) {
        QCOMPARE(d->findChild<QLineEdit *>(u"importPathEdit"_s)->text(), u"services/api"_s);
        auto *table = d->findChild<QTableWidget *>(u"importPreviewTable"_s);
        for (int r = 0; r < table->rowCount(); ++r)
            preview.append(table->item(r, 0)->text() + u' ' + table->item(r, 1)->text());
        d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    }});
    page.importFile(env.fileName());
    QVERIFY(waitLoaded(loaded));
    QCOMPARE(preview, (QStringList{u"API_KEY new"_s, u"DB_PASSWORD unchanged"_s, u"MODE new"_s}));
    QCOMPARE(m_keys->rowCount(), 3);

    // Delete, confirmed.
    answerDialogs({pressYes});
    button(u"MODE"_s, u"deleteButton"_s)->click();
    QVERIFY(waitLoaded(loaded));
    QCOMPARE(rowOf(u"MODE"_s), -1);

    // The backend itself holds what the page showed.
    Orchestrator check;
    auto store = check.secrets(backend);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
    QCOMPARE((*store)->kind(), backend);
    QCOMPARE(*(*store)->get(u"services/api"_s, u"DB_PASSWORD"_s), u"first-pw"_s);
    QCOMPARE(*(*store)->get(u"services/api"_s, u"API_KEY"_s), u"k-1"_s);
    QCOMPARE(*(*store)->keys(u"services/api"_s), (QStringList{u"API_KEY"_s, u"DB_PASSWORD"_s}));
    // PORTOSER_SCREENSHOT=file.png keeps a picture of the page, to look at it for real.
    if (const QString shot = qEnvironmentVariable("PORTOSER_SCREENSHOT"); !shot.isEmpty())
        QVERIFY(page.grab().save(shot.arg(backend)));
}

QTEST_MAIN(TestSecretsPage)
#include "TestSecretsPage.moc"
