// SPDX-License-Identifier: Apache-2.0
#include "widgets/AppSettings.h"

#include <QApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>
#include <QUrl>
#include <QUrlQuery>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int RecentRegistries = 5;

QString stringOr(const QSettings &settings, const QString &key, const QString &fallback)
{
    const QString value = settings.value(key).toString();
    return value.isEmpty() ? fallback : value;
}

} // namespace

AppSettings AppSettings::load()
{
    const QSettings stored;
    AppSettings s;
    s.registryPath = stored.value(u"registry"_s).toString();
    s.recentRegistries = stored.value(u"recentRegistries"_s).toStringList();
    s.recentCoordinators = stored.value(u"recentCoordinators"_s).toStringList();
    s.store = stored.value(u"store"_s).toString();
    s.secrets.backend = stringOr(stored, u"secrets/backend"_s, s.secrets.backend);
    s.secrets.localFile = stringOr(stored, u"secrets/file"_s, s.secrets.localFile);
    s.secrets.vault.address = stringOr(stored, u"secrets/vaultAddress"_s, s.secrets.vault.address);
    s.secrets.vault.mount = stringOr(stored, u"secrets/vaultMount"_s, s.secrets.vault.mount);
    s.healIntervalSeconds = stored.value(u"heal/intervalSeconds"_s, 0).toInt();
    s.acceptNewHostKeys = stored.value(u"ssh/acceptNewHostKeys"_s, false).toBool();
    s.language = stored.value(u"language"_s).toString();
    return s;
}

void AppSettings::save() const
{
    // Only what differs from the environment's defaults is kept: a variable set later (say
    // PORTOSER_SECRETS_BACKEND) still counts until the operator picks something else here.
    const AppSettings defaults;
    QSettings stored;
    const auto keep = [&stored](const QString &key, const QVariant &value,
                                const QVariant &fallback) {
        if (value == fallback)
            stored.remove(key);
        else
            stored.setValue(key, value);
    };
    keep(u"registry"_s, registryPath, defaults.registryPath);
    keep(u"recentRegistries"_s, recentRegistries, defaults.recentRegistries);
    keep(u"recentCoordinators"_s, recentCoordinators, defaults.recentCoordinators);
    keep(u"store"_s, store, defaults.store);
    keep(u"secrets/backend"_s, secrets.backend, defaults.secrets.backend);
    keep(u"secrets/file"_s, secrets.localFile, defaults.secrets.localFile);
    keep(u"secrets/vaultAddress"_s, secrets.vault.address, defaults.secrets.vault.address);
    keep(u"secrets/vaultMount"_s, secrets.vault.mount, defaults.secrets.vault.mount);
    keep(u"heal/intervalSeconds"_s, healIntervalSeconds, defaults.healIntervalSeconds);
    keep(u"ssh/acceptNewHostKeys"_s, acceptNewHostKeys, defaults.acceptNewHostKeys);
    keep(u"language"_s, language, defaults.language);
}

OrchestratorSettings AppSettings::orchestrator() const
{
    OrchestratorSettings o;
    o.databasePath = store;
    o.secrets = secrets;
    o.transport.hostKeyPolicy =
        acceptNewHostKeys ? HostKeyPolicy::AcceptNew : HostKeyPolicy::Strict;
    return o;
}

QString AppSettings::problem() const
{
    if (store.startsWith(u"postgres"_s)
        && (!QUrl(store).password().isEmpty()
            || QUrlQuery(QUrl(store)).hasQueryItem(u"password"_s)))
        return QApplication::translate(
            "Portoser::AppSettings",
            "The store URL holds a password. Put it in ~/.pgpass (PostgreSQL reads it there): "
            "the settings file is not a secret store.");
    if (secrets.backend != u"local"_s && secrets.backend != u"vault"_s)
        return QApplication::translate("Portoser::AppSettings", "Unknown secrets backend \"%1\".")
            .arg(secrets.backend);
    if (secrets.backend == u"vault"_s && secrets.vault.address.isEmpty())
        return QApplication::translate("Portoser::AppSettings",
                                       "The Vault backend needs Vault's address.");
    if (healIntervalSeconds < 0)
        return QApplication::translate("Portoser::AppSettings",
                                       "The heal interval cannot be negative.");
    return {};
}

void AppSettings::rememberRegistry(const QString &path)
{
    registryPath = path;
    recentRegistries.removeAll(path);
    recentRegistries.prepend(path);
    while (recentRegistries.size() > RecentRegistries)
        recentRegistries.removeLast();
}

void AppSettings::rememberCoordinator(const QString &url)
{
    recentCoordinators.removeAll(url);
    recentCoordinators.prepend(url);
    while (recentCoordinators.size() > RecentRegistries)
        recentCoordinators.removeLast();
}

QList<std::pair<QString, QString>> AppSettings::languages()
{
    return {{u"en"_s, u"English"_s}, {u"de"_s, u"Deutsch"_s}};
}

bool installTranslation(const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    // The app's own strings are compiled in (:/i18n); Qt's (standard buttons, dialogs) come
    // from Qt's translations directory when the system has them.
    auto *own = new QTranslator(qApp);
    if (!own->load(locale, u"portoser"_s, u"_"_s, u":/i18n"_s)) {
        delete own;
        return false;
    }
    QApplication::installTranslator(own);
    auto *qt = new QTranslator(qApp);
    if (qt->load(locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(qt);
    else
        delete qt;
    return true;
}

} // namespace Portoser
