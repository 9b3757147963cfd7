// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Orchestrator.h"

#include <QHash>
#include <QUrl>
#include <QWidget>

#include <functional>
#include <memory>

class QComboBox;
class QLabel;
class QTableWidget;
class QTreeWidget;
class QTimer;

namespace Portoser {

class OrchestratorThread;

/**
 * The secrets editor: the tree of paths on the left, the keys of the selected path on the right
 * with masked values (a per-row reveal hides itself again after a while), the services that use
 * each key, add/edit/delete with confirmation, version history with restore, and import of a
 * `.env` file after a preview. Works on either backend; every store call (scrypt, Vault HTTP)
 * runs on the page's own orchestrator thread, never on the GUI thread.
 */
class SecretsPage : public QWidget
{
    Q_OBJECT

public:
    explicit SecretsPage(const OrchestratorSettings &settings, QWidget *parent = nullptr);
    /** Another store or secrets backend chosen in Settings: reads the secrets from there. */
    void setSettings(const OrchestratorSettings &settings);
    /** Shows and edits the secrets of the coordinator at `url` (through its API, with
     *  `credential`): listing needs its operator role, values its admin role. */
    void useCoordinator(const QUrl &url, const QByteArray &credential);
    ~SecretsPage() override;

    /** The registry whose services are shown as users of each key. */
    void setRegistry(const Registry &registry);
    /** How long a revealed value stays visible (default 15 s). */
    void setRevealTimeout(int milliseconds) { m_revealMs = milliseconds; }
    /** Re-reads paths and keys from the selected backend. */
    void refresh();
    /** Previews what importing the `.env` file `file` would write, then writes it if accepted. */
    void importFile(const QString &file);

signals:
    /** A refresh (or a change and its refresh) finished; `error` is empty when it went well. */
    void loaded(const QString &error);

private:
    using Entry = SecretEntry;
    struct Snapshot
    {
        QList<Entry> entries;
        QString error;
    };
    using Job = std::function<Result<QString>(SecretsBackend &)>; // answers a status message

    QString backendKind() const;
    QString selectedPath() const;
    /** The key of the table row `row`. */
    QString keyAt(int row) const;
    void showSnapshot(const Snapshot &snapshot);
    void showKeysOf(const QString &path);
    /** Runs `job` on the worker, then shows its message (or error) and refreshes. */
    void change(Job job);
    /** Names a revealed value: backend, path, key and version (a new version is masked again). */
    QString shownId(const QString &path, const QString &key, const QString &version) const;
    void reveal(int row);
    void hideValue(int row);
    void addSecret();
    void editSecret(int row);
    void deleteSecret(int row);
    void showHistory(int row);

    std::unique_ptr<OrchestratorThread> m_worker;
    /** Where the secrets are: this computer's backends, or a coordinator's through its API. */
    struct Source;
    std::shared_ptr<Source> m_source;
    std::optional<Registry> m_registry;
    QComboBox *m_backend = nullptr;
    QTreeWidget *m_paths = nullptr;
    QTableWidget *m_keys = nullptr;
    QLabel *m_status = nullptr;
    QList<Entry> m_entries;
    int m_revealMs = 15000;
    QHash<QString, QString> m_shown; // what is revealed now, so a refresh keeps showing it
};

} // namespace Portoser
