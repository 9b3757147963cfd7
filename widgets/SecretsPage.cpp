// SPDX-License-Identifier: Apache-2.0
#include "widgets/SecretsPage.h"

#include "core/runtime/OrchestratorThread.h"
#include "core/secrets/CoordinatorSecretStore.h"
#include "core/secrets/EnvFile.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Portoser {

namespace {

constexpr auto Masked = "••••••••";
enum Column {
    KeyColumn,
    ValueColumn,
    VersionColumn,
    UpdatedColumn,
    UsedByColumn,
    ActionsColumn
};

/** A dialog for a path, key and a value typed without echo; nothing when cancelled. */
struct SecretInput
{
    QString path, key, value;
};
std::optional<SecretInput> askSecret(QWidget *parent, const QString &title, SecretInput preset,
                                     bool nameFixed)
{
    QDialog dialog(parent);
    dialog.setObjectName(QStringLiteral("secretEditDialog"));
    dialog.setWindowTitle(title);
    auto *form = new QFormLayout(&dialog);
    auto *path = new QLineEdit(preset.path, &dialog);
    path->setObjectName(QStringLiteral("secretPathEdit"));
    path->setPlaceholderText(QObject::tr("services/api"));
    path->setReadOnly(nameFixed);
    auto *key = new QLineEdit(preset.key, &dialog);
    key->setObjectName(QStringLiteral("secretKeyEdit"));
    key->setPlaceholderText(QObject::tr("DB_PASSWORD"));
    key->setReadOnly(nameFixed);
    auto *value = new QLineEdit(&dialog);
    value->setObjectName(QStringLiteral("secretValueEdit"));
    value->setEchoMode(QLineEdit::Password);
    value->setAccessibleName(QObject::tr("Secret value"));
    form->addRow(QObject::tr("&Path:"), path);
    form->addRow(QObject::tr("&Key:"), key);
    form->addRow(QObject::tr("&Value:"), value);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    (nameFixed ? value : preset.path.isEmpty() ? path : key)->setFocus();
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return SecretInput{path->text().trimmed(), key->text().trimmed(), value->text()};
}

bool confirm(QWidget *parent, const QString &title, const QString &text)
{
    return QMessageBox::question(parent, title, text, QMessageBox::Yes | QMessageBox::Cancel,
                                 QMessageBox::Cancel)
           == QMessageBox::Yes;
}

} // namespace

/** Runs on the page's worker thread only (the stores are not thread-safe). */
struct SecretsPage::Source
{
    std::optional<QUrl> coordinator;
    QByteArray credential;
    std::map<QString, std::unique_ptr<CoordinatorSecretStore>> stores; // by backend kind

    CoordinatorSecretStore &remote(const QString &kind)
    {
        auto &store = stores[kind];
        if (!store)
            store = std::make_unique<CoordinatorSecretStore>(*coordinator, credential, kind);
        return *store;
    }
    Result<SecretsBackend *> open(Orchestrator &o, const QString &kind)
    {
        if (!coordinator)
            return o.secrets(kind);
        return static_cast<SecretsBackend *>(&remote(kind));
    }
    Result<SecretListing> list(Orchestrator &o, const Registry &registry, const QString &kind)
    {
        if (!coordinator)
            return o.secretList(registry, kind);
        return remote(kind).listing();
    }
};

void SecretsPage::useCoordinator(const QUrl &url, const QByteArray &credential)
{
    auto source = std::make_shared<Source>();
    source->coordinator = url;
    source->credential = credential;
    m_source = source; // the old one goes with the last task that holds it
    refresh();
}

void SecretsPage::setSettings(const OrchestratorSettings &settings)
{
    m_worker->setSettings(settings);
    const int index = settings.secrets.backend == u"vault" ? 1 : 0;
    if (m_backend->currentIndex() == index)
        refresh();
    else
        m_backend->setCurrentIndex(index); // refreshes
}

SecretsPage::SecretsPage(const OrchestratorSettings &settings, QWidget *parent)
    : QWidget(parent)
    , m_worker(std::make_unique<OrchestratorThread>(settings, QStringLiteral("secrets")))
    , m_source(std::make_shared<Source>())
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Backend:"), this));
    m_backend = new QComboBox(this);
    m_backend->setObjectName(QStringLiteral("secretsBackendCombo"));
    m_backend->setAccessibleName(tr("Secrets backend"));
    m_backend->addItem(tr("Encrypted local store"), QStringLiteral("local"));
    m_backend->addItem(tr("HashiCorp Vault"), QStringLiteral("vault"));
    m_backend->setCurrentIndex(settings.secrets.backend == u"vault" ? 1 : 0);
    bar->addWidget(m_backend);
    bar->addStretch();
    auto addButton = [this, bar](const QString &name, const QString &text, const QString &tip) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(name);
        b->setToolTip(tip);
        bar->addWidget(b);
        return b;
    };
    connect(addButton(QStringLiteral("refreshSecretsButton"), tr("&Refresh"),
                      tr("Read the secrets again")),
            &QPushButton::clicked, this, &SecretsPage::refresh);
    connect(addButton(QStringLiteral("addSecretButton"), tr("&Add…"), tr("Store a new secret")),
            &QPushButton::clicked, this, &SecretsPage::addSecret);
    connect(addButton(QStringLiteral("importEnvButton"), tr("&Import .env…"),
                      tr("Write the keys of a .env file, after a preview")),
            &QPushButton::clicked, this, [this] {
                const QString file = QFileDialog::getOpenFileName(
                    this, tr("Import a .env file"), QString(),
                    tr("Environment files (*.env .env);;All files (*)"));
                if (!file.isEmpty())
                    importFile(file);
            });
    layout->addLayout(bar);

    auto *splitter = new QSplitter(this);
    m_paths = new QTreeWidget(splitter);
    m_paths->setObjectName(QStringLiteral("secretPathsTree"));
    m_paths->setAccessibleName(tr("Secret paths"));
    m_paths->setHeaderLabels({tr("Path")});
    m_keys = new QTableWidget(0, 6, splitter);
    m_keys->setObjectName(QStringLiteral("secretKeysTable"));
    m_keys->setAccessibleName(tr("Keys of the selected path"));
    m_keys->setHorizontalHeaderLabels(
        {tr("Key"), tr("Value"), tr("Version"), tr("Updated"), tr("Used by"), QString()});
    m_keys->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_keys->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_keys->verticalHeader()->hide();
    // The buttons' column keeps its width (a stretched last section could squeeze them); the
    // "Used by" column takes what is left, and a narrow window scrolls instead of clipping.
    m_keys->horizontalHeader()->setStretchLastSection(false);
    m_keys->horizontalHeader()->setSectionResizeMode(UsedByColumn, QHeaderView::Stretch);
    m_keys->horizontalHeader()->setSectionResizeMode(ActionsColumn, QHeaderView::Fixed);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({200, 700});
    layout->addWidget(splitter, 1);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("secretsStatusLabel"));
    m_status->setWordWrap(true); // errors can be long (a Vault URL and its answer)
    layout->addWidget(m_status);

    connect(m_paths, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        showKeysOf(item ? item->data(0, Qt::UserRole).toString() : QString());
    });
    connect(m_backend, &QComboBox::currentIndexChanged, this, &SecretsPage::refresh);
}

SecretsPage::~SecretsPage()
{
    m_worker->stop();
}

QString SecretsPage::backendKind() const
{
    return m_backend->currentData().toString();
}

void SecretsPage::setRegistry(const Registry &registry)
{
    m_registry = registry;
    refresh();
}

QString SecretsPage::selectedPath() const
{
    const QTreeWidgetItem *item = m_paths->currentItem();
    return item ? item->data(0, Qt::UserRole).toString() : QString();
}

QString SecretsPage::keyAt(int row) const
{
    const QTableWidgetItem *item = m_keys->item(row, KeyColumn);
    return item ? item->text() : QString();
}

void SecretsPage::refresh()
{
    m_status->setText(tr("Reading secrets…"));
    const QString kind = backendKind();
    const std::optional<Registry> registry = m_registry;
    m_worker
        ->call([kind, registry, source = m_source](Orchestrator &o) {
            Snapshot snapshot;
            auto listed = source->list(o, registry.value_or(Registry{}), kind);
            if (!listed)
                snapshot.error = listed.error().message;
            else
                snapshot.entries = listed->secrets;
            return snapshot;
        })
        .then(this, [this](const Snapshot &s) { showSnapshot(s); });
}

void SecretsPage::showSnapshot(const Snapshot &snapshot)
{
    const QString selected = selectedPath();
    m_entries = snapshot.entries;
    m_paths->clear();
    // One tree node per path segment; a path's own node carries the path.
    QMap<QString, QTreeWidgetItem *> nodes;
    QTreeWidgetItem *current = nullptr;
    for (const Entry &e : std::as_const(m_entries)) {
        QString sofar;
        QTreeWidgetItem *parent = nullptr;
        for (const QString &segment : e.path.split(u'/')) {
            sofar += (sofar.isEmpty() ? QString() : QStringLiteral("/")) + segment;
            QTreeWidgetItem *&node = nodes[sofar];
            if (!node) {
                node = parent ? new QTreeWidgetItem(parent, {segment})
                              : new QTreeWidgetItem(m_paths, {segment});
                node->setExpanded(true);
            }
            parent = node;
        }
        parent->setData(0, Qt::UserRole, e.path);
        if (e.path == selected)
            current = parent;
    }
    if (!current && !m_entries.isEmpty())
        current = nodes.value(m_entries.first().path);
    m_paths->setCurrentItem(current);
    showKeysOf(current ? current->data(0, Qt::UserRole).toString() : QString());
    m_status->setText(
        snapshot.error.isEmpty()
            ? tr("%n secret(s) in %1", nullptr, int(m_entries.size())).arg(m_backend->currentText())
            : snapshot.error);
    emit loaded(snapshot.error);
}

void SecretsPage::showKeysOf(const QString &path)
{
    m_keys->setRowCount(0);
    for (const Entry &e : std::as_const(m_entries)) {
        if (e.path != path)
            continue;
        const int row = m_keys->rowCount();
        m_keys->insertRow(row);
        m_keys->setItem(row, KeyColumn, new QTableWidgetItem(e.key));
        const QString shown = m_shown.value(shownId(path, e.key, QString::number(e.version)));
        m_keys->setItem(row, ValueColumn,
                        new QTableWidgetItem(shown.isNull() ? QString::fromUtf8(Masked) : shown));
        m_keys->setItem(row, VersionColumn, new QTableWidgetItem(QString::number(e.version)));
        m_keys->setItem(row, UpdatedColumn,
                        new QTableWidgetItem(
                            QLocale().toString(e.updatedAt.toLocalTime(), QLocale::ShortFormat)));
        m_keys->setItem(row, UsedByColumn,
                        new QTableWidgetItem(e.usedBy.join(QStringLiteral(", "))));
        auto *actions = new QWidget(m_keys);
        auto *box = new QHBoxLayout(actions);
        box->setContentsMargins(0, 0, 0, 0);
        const auto tool = [actions, box](const QString &name, const QString &text,
                                         const QString &tip) {
            auto *b = new QToolButton(actions);
            b->setObjectName(name);
            b->setText(text);
            b->setToolTip(tip);
            b->setAccessibleName(tip);
            box->addWidget(b);
            return b;
        };
        const QString key = e.key;
        // Rows are found by key when clicked: a refresh may have moved them.
        const auto rowOf = [this, key] {
            for (int r = 0; r < m_keys->rowCount(); ++r)
                if (keyAt(r) == key)
                    return r;
            return -1;
        };
        connect(
            tool(QStringLiteral("revealButton"), tr("Reveal"), tr("Show the value for a while")),
            &QToolButton::clicked, this, [this, rowOf] { reveal(rowOf()); });
        connect(tool(QStringLiteral("editButton"), tr("Edit…"), tr("Store a new value")),
                &QToolButton::clicked, this, [this, rowOf] { editSecret(rowOf()); });
        connect(
            tool(QStringLiteral("historyButton"), tr("History…"), tr("Versions, and restore one")),
            &QToolButton::clicked, this, [this, rowOf] { showHistory(rowOf()); });
        connect(tool(QStringLiteral("deleteButton"), tr("Delete…"), tr("Delete this key")),
                &QToolButton::clicked, this, [this, rowOf] { deleteSecret(rowOf()); });
        box->addStretch();
        m_keys->setCellWidget(row, ActionsColumn, actions);
    }
    m_keys->resizeColumnsToContents();
    if (m_keys->rowCount() > 0) { // cell widgets do not count for resizeColumnsToContents
        const QSize buttons = m_keys->cellWidget(0, ActionsColumn)->sizeHint();
        m_keys->setColumnWidth(ActionsColumn, buttons.width() + 4);
        m_keys->verticalHeader()->setMinimumSectionSize(buttons.height() + 2);
        m_keys->verticalHeader()->setDefaultSectionSize(
            std::max(m_keys->verticalHeader()->defaultSectionSize(), buttons.height() + 2));
        for (int r = 0; r < m_keys->rowCount(); ++r)
            m_keys->setRowHeight(r, std::max(m_keys->rowHeight(r), buttons.height() + 2));
    }
}

void SecretsPage::change(Job job)
{
    m_status->setText(tr("Saving…"));
    const QString kind = backendKind();
    m_worker
        ->call([kind, job, source = m_source](Orchestrator &o) {
            auto store = source->open(o, kind);
            const Result<QString> done = store ? job(**store) : Result<QString>(store.error());
            const QString message = done ? *done : done.error().message;
            return std::pair{done.ok(), message};
        })
        .then(this, [this](const std::pair<bool, QString> &r) {
            if (!r.first) {
                m_status->setText(r.second);
                QMessageBox::warning(this, tr("Secrets"), r.second);
                emit loaded(r.second);
                return;
            }
            refresh();
            m_status->setText(r.second);
        });
}

QString SecretsPage::shownId(const QString &path, const QString &key, const QString &version) const
{
    return backendKind() + u'\n' + path + u'\n' + key + u'\n' + version;
}

void SecretsPage::reveal(int row)
{
    if (row < 0)
        return;
    const QString path = selectedPath();
    const QString key = keyAt(row);
    const QString kind = backendKind();
    const QString id = shownId(path, key, m_keys->item(row, VersionColumn)->text());
    // A refresh may rebuild the table while the value travels or is shown: the answer belongs to
    // whichever row shows the same backend, path, key and version, and to no other.
    const auto rowShowing = [this, kind, path, key, id] {
        if (backendKind() != kind || selectedPath() != path)
            return -1;
        for (int r = 0; r < m_keys->rowCount(); ++r)
            if (keyAt(r) == key && shownId(path, key, m_keys->item(r, VersionColumn)->text()) == id)
                return r;
        return -1;
    };
    m_worker
        ->call([kind, path, key, source = m_source](Orchestrator &o) {
            auto store = source->open(o, kind);
            const Result<QString> value =
                store ? (*store)->get(path, key) : Result<QString>(store.error());
            return value;
        })
        .then(this, [this, id, rowShowing](const Result<QString> &v) {
            m_shown.insert(id, v ? *v : v.error().message);
            if (const int r = rowShowing(); r >= 0)
                m_keys->item(r, ValueColumn)->setText(m_shown.value(id));
            QTimer::singleShot(m_revealMs, this, [this, id, rowShowing] {
                m_shown.remove(id);
                if (const int r = rowShowing(); r >= 0)
                    hideValue(r);
            });
        });
}

void SecretsPage::hideValue(int row)
{
    if (QTableWidgetItem *item = m_keys->item(row, ValueColumn))
        item->setText(QString::fromUtf8(Masked));
}

void SecretsPage::addSecret()
{
    const auto input = askSecret(this, tr("Add a secret"), {selectedPath(), {}, {}}, false);
    if (!input)
        return;
    change([in = *input](SecretsBackend &store) -> Result<QString> {
        auto version = store.put(in.path, in.key, in.value);
        if (!version)
            return version.error();
        return QObject::tr("%1#%2 stored (version %3)").arg(in.path, in.key).arg(*version);
    });
}

void SecretsPage::editSecret(int row)
{
    if (row < 0)
        return;
    const QString path = selectedPath();
    const QString key = keyAt(row);
    const auto input =
        askSecret(this, tr("New value for %1#%2").arg(path, key), {path, key, {}}, true);
    if (!input)
        return;
    const QString users = m_keys->item(row, UsedByColumn)->text();
    if (!confirm(this, tr("Replace the value"),
                 tr("Store a new value for %1#%2? The old one stays in its history.%3")
                     .arg(path, key,
                          users.isEmpty() ? QString()
                                          : tr("\nUsed by: %1 (redeploy them with "
                                               "deploy --changed-secrets)")
                                                .arg(users))))
        return;
    change([in = *input](SecretsBackend &store) -> Result<QString> {
        auto version = store.put(in.path, in.key, in.value);
        if (!version)
            return version.error();
        return QObject::tr("%1#%2 is now version %3").arg(in.path, in.key).arg(*version);
    });
}

void SecretsPage::deleteSecret(int row)
{
    if (row < 0)
        return;
    const QString path = selectedPath();
    const QString key = keyAt(row);
    if (!confirm(this, tr("Delete a secret"),
                 tr("Delete %1#%2? Its versions are kept and can be restored.").arg(path, key)))
        return;
    change([path, key](SecretsBackend &store) -> Result<QString> {
        if (auto removed = store.remove(path, key); !removed)
            return removed.error();
        return QObject::tr("%1#%2 deleted").arg(path, key);
    });
}

void SecretsPage::showHistory(int row)
{
    if (row < 0)
        return;
    const QString path = selectedPath();
    const QString key = keyAt(row);
    const QString kind = backendKind();
    m_worker
        ->call([kind, path, key, source = m_source](Orchestrator &o) {
            auto store = source->open(o, kind);
            const Result<QList<SecretVersion>> history =
                store ? (*store)->versions(path, key) : Result<QList<SecretVersion>>(store.error());
            return history;
        })
        .then(this, [this, path, key](const Result<QList<SecretVersion>> &h) {
            if (!h) {
                QMessageBox::warning(this, tr("Secrets"), h.error().message);
                return;
            }
            QDialog dialog(this);
            dialog.setObjectName(QStringLiteral("secretHistoryDialog"));
            dialog.setWindowTitle(tr("History of %1#%2").arg(path, key));
            auto *layout = new QVBoxLayout(&dialog);
            auto *table = new QTableWidget(int(h->size()), 3, &dialog);
            table->setObjectName(QStringLiteral("historyTable"));
            table->setHorizontalHeaderLabels({tr("Version"), tr("Stored"), tr("State")});
            table->setEditTriggers(QAbstractItemView::NoEditTriggers);
            table->setSelectionBehavior(QAbstractItemView::SelectRows);
            table->setSelectionMode(QAbstractItemView::SingleSelection);
            table->verticalHeader()->hide();
            for (int i = 0; i < h->size(); ++i) {
                const SecretVersion &v = h->at(h->size() - 1 - i); // newest first
                auto *number = new QTableWidgetItem(QString::number(v.version));
                number->setData(Qt::UserRole, v.version);
                table->setItem(i, 0, number);
                table->setItem(i, 1,
                               new QTableWidgetItem(
                                   QLocale().toString(v.at.toLocalTime(), QLocale::ShortFormat)));
                table->setItem(i, 2, new QTableWidgetItem(v.deleted ? tr("deleted") : tr("value")));
            }
            table->resizeColumnsToContents();
            layout->addWidget(table);
            auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
            QPushButton *restore = buttons->addButton(tr("&Restore"), QDialogButtonBox::ActionRole);
            restore->setObjectName(QStringLiteral("restoreButton"));
            restore->setEnabled(false);
            connect(table, &QTableWidget::itemSelectionChanged, restore, [table, restore] {
                const auto rows = table->selectionModel()->selectedRows();
                restore->setEnabled(!rows.isEmpty()
                                    && table->item(rows.first().row(), 2)->text() == tr("value"));
            });
            connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
            int chosen = 0;
            connect(restore, &QPushButton::clicked, &dialog, [&] {
                chosen = table->item(table->currentRow(), 0)->data(Qt::UserRole).toInt();
                dialog.accept();
            });
            layout->addWidget(buttons);
            if (dialog.exec() != QDialog::Accepted || chosen == 0)
                return;
            if (!confirm(this, tr("Restore a version"),
                         tr("Make version %1 of %2#%3 current again (stored as a new version)?")
                             .arg(chosen)
                             .arg(path, key)))
                return;
            change([path, key, chosen](SecretsBackend &backend) -> Result<QString> {
                auto written = backend.rollback(path, key, chosen);
                if (!written)
                    return written.error();
                return QObject::tr("%1#%2: version %3 restored as %4")
                    .arg(path, key)
                    .arg(chosen)
                    .arg(*written);
            });
        });
}

void SecretsPage::importFile(const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        QMessageBox::warning(this, tr("Import"), tr("%1: %2").arg(file, f.errorString()));
        return;
    }
    auto values = EnvFile::parse(f.readAll(), file);
    if (!values) {
        QMessageBox::warning(this, tr("Import"), values.error().message);
        return;
    }
    const QString target = selectedPath().isEmpty() ? QStringLiteral("services/") : selectedPath();
    // What is stored now decides the preview: new, changed or the same.
    const QString kind = backendKind();
    m_worker
        ->call([kind, target, v = *values, source = m_source](Orchestrator &o) {
            auto store = source->open(o, kind);
            const Result<QMap<QString, SecretChange>> changes =
                store ? (*store)->compare(target, v)
                      : Result<QMap<QString, SecretChange>>(store.error());
            return changes;
        })
        .then(this, [this, target, v = *values](const Result<QMap<QString, SecretChange>> &states) {
            if (!states) {
                QMessageBox::warning(this, tr("Import"), states.error().message);
                return;
            }
            QDialog dialog(this);
            dialog.setObjectName(QStringLiteral("importPreviewDialog"));
            dialog.setWindowTitle(tr("Import %n key(s)", nullptr, int(v.size())));
            auto *layout = new QVBoxLayout(&dialog);
            auto *form = new QFormLayout;
            auto *path = new QLineEdit(target, &dialog);
            path->setObjectName(QStringLiteral("importPathEdit"));
            form->addRow(tr("Into &path:"), path);
            layout->addLayout(form);
            auto *table = new QTableWidget(int(v.size()), 2, &dialog);
            table->setObjectName(QStringLiteral("importPreviewTable"));
            table->setHorizontalHeaderLabels({tr("Key"), tr("Change")});
            table->verticalHeader()->hide();
            table->setEditTriggers(QAbstractItemView::NoEditTriggers);
            int row = 0;
            for (auto it = v.cbegin(); it != v.cend(); ++it, ++row) {
                table->setItem(row, 0, new QTableWidgetItem(it.key()));
                const SecretChange change = states->value(it.key());
                table->setItem(row, 1,
                               new QTableWidgetItem(change == SecretChange::New ? tr("new")
                                                    : change == SecretChange::Changed
                                                        ? tr("new value")
                                                        : tr("unchanged")));
            }
            table->resizeColumnsToContents();
            layout->addWidget(table);
            auto *buttons =
                new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
            buttons->button(QDialogButtonBox::Ok)->setText(tr("&Write"));
            connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
            connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
            layout->addWidget(buttons);
            if (dialog.exec() != QDialog::Accepted)
                return;
            const QString into = path->text().trimmed();
            change([into, v](SecretsBackend &backend) -> Result<QString> {
                auto changed = backend.writeChanged(into, v);
                if (!changed)
                    return changed.error();
                return QObject::tr("%1 of %2 keys written to %3")
                    .arg(changed->size())
                    .arg(v.size())
                    .arg(into);
            });
        });
}

} // namespace Portoser
