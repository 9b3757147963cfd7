// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Orchestrator.h"

#include <QString>

class QSettings;

namespace Portoser {

/**
 * What the desktop app remembers between runs (QSettings) beside window geometry: which
 * registry, store and secrets backend it uses, the watchdog's interval, the host-key policy and
 * the language. Unset values fall back to the environment the CLI reads, so a GUI started in a
 * shell behaves like `portoser --cli` there.
 */
struct AppSettings
{
    QString registryPath; // empty: RegistryLocator's rule (PORTOSER_REGISTRY, ./, ~/.portoser)
    QString store;        // SQLite file or postgresql:// URL; empty: PORTOSER_DB or default
    SecretsSettings secrets = SecretsSettings::fromEnvironment();
    int healIntervalSeconds = 0; // 0: each service's own health.interval
    bool acceptNewHostKeys = false;
    QString language; // empty: the system's; else "en" or "de"
    QStringList recentRegistries;
    QStringList recentCoordinators; // URLs the window connected to, newest first

    static AppSettings load();
    void save() const;

    /** The orchestrator settings these imply. */
    OrchestratorSettings orchestrator() const;
    /** Why these cannot be saved (nothing when they can): a password in the store URL, which
     *  belongs in ~/.pgpass, not in a settings file; a backend that does not exist. */
    QString problem() const;
    /** Puts `path` first in the recent registries (at most five). */
    void rememberRegistry(const QString &path);
    /** Puts `url` first in the recent coordinators (at most five). */
    void rememberCoordinator(const QString &url);

    /** The languages the app ships, as code → native name (English first). */
    static QList<std::pair<QString, QString>> languages();

    friend bool operator==(const AppSettings &, const AppSettings &) = default;
};

/** Loads the translation for `language` (empty: the system's) into the application; English
 *  needs none. Returns whether a translation was installed. Call before building any widget. */
bool installTranslation(const QString &language);

} // namespace Portoser
