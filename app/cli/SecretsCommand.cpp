// SPDX-License-Identifier: Apache-2.0
#include "app/cli/SecretsCommand.h"

#include "app/cli/TextTable.h"
#include "core/secrets/EnvFile.h"
#include "core/secrets/Keychain.h"
#include "core/secrets/VaultSecretStore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <iostream>
#include <string>

#include <termios.h>
#include <unistd.h>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {

const QCommandLineOption RevealOption(u"reveal"_s, u"get: print the value itself."_s);
const QCommandLineOption VersionOption(u"version"_s, u"get: that version's value."_s, u"N"_s);
const QCommandLineOption BackendOption(u"backend"_s,
                                       u"local or vault (default: $PORTOSER_SECRETS_BACKEND, "
                                       "else local)."_s,
                                       u"NAME"_s);
const QCommandLineOption PathOption(u"path"_s, u"import-env: the secrets path to write."_s,
                                    u"PATH"_s);
const QCommandLineOption
    DryRunOption(u"dry-run"_s, u"import-env, migrate: show what would move; change nothing."_s);
const QCommandLineOption
    RemoveOriginalsOption(u"remove-originals"_s,
                          u"migrate: delete each .env from its host once it is in the store."_s);

/** A value from stdin: prompted without echo on a terminal, else its first line. Never argv. */
QString readValue(QTextStream &err, const QString &what)
{
    const bool terminal = isatty(STDIN_FILENO);
    termios saved{};
    if (terminal) {
        err << "value for " << what << " (not echoed): ";
        err.flush();
        tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (terminal) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        err << '\n';
    }
    return QString::fromStdString(line);
}

/** "1,2 3" -> {1, 2, 3}; empty when any is not a positive number. */
QList<int> versionNumbers(const QStringList &words)
{
    QList<int> out;
    for (const QString &w : words) {
        for (const QString &part : w.split(u',', Qt::SkipEmptyParts)) {
            bool ok = false;
            const int v = part.toInt(&ok);
            if (!ok || v < 1)
                return {};
            out.append(v);
        }
    }
    return out;
}

} // namespace

CommandSpec SecretsCommand::spec() const
{
    CommandSpec s{
        u"secrets"_s,
        u"list [PREFIX] | get PATH#KEY [--reveal] [--version N] | put PATH KEY | "
        "delete PATH#KEY | versions PATH#KEY | rollback PATH#KEY VERSION | "
        "import-env FILE --path P [--dry-run] | migrate-all [--dry-run] [--remove-originals] | "
        "migrate SERVICE... | undelete|destroy PATH VERSION... (Vault) | vault-login | "
        "backend status"_s,
        u"Secrets in the encrypted local store or HashiCorp Vault KV v2."_s,
        u"Backends: local (AES-256-GCM file $PORTOSER_SECRETS_FILE or ~/.portoser/secrets.enc; "
        "key from $PORTOSER_SECRETS_PASSPHRASE, a 0600 key file $PORTOSER_SECRETS_KEY_FILE or "
        "~/.portoser/secrets.key, else the OS keychain) and vault (VAULT_ADDR, VAULT_TOKEN or "
        "PORTOSER_VAULT_TOKEN_FILE or a token saved by vault-login in the keychain, or AppRole: "
        "VAULT_ROLE_ID with VAULT_SECRET_ID or PORTOSER_VAULT_SECRET_ID_FILE; VAULT_NAMESPACE, "
        "VAULT_CACERT, PORTOSER_VAULT_MOUNT (secret), PORTOSER_VAULT_PREFIX).\n"
        "put and vault-login read from stdin (a prompt without echo on a terminal), never from "
        "the command line, where process lists would show it. get prints a value only with "
        "--reveal.\n"
        "migrate-all moves each service's env_file (read on its host) to services/<service>, "
        "gives the registry secrets: references for its keys and drops its env_file line; the "
        "original file stays unless --remove-originals. Running it again changes nothing."_s,
        {RevealOption, VersionOption, BackendOption, PathOption, DryRunOption,
         RemoveOriginalsOption}};
    return s;
}

int SecretsCommand::run(CliContext &context, const QCommandLineParser &args)
{
    QStringList words = args.positionalArguments();
    const QString action = words.isEmpty() ? QString() : words.takeFirst();
    const QString kind = args.value(BackendOption);
    Orchestrator &orchestrator = context.orchestrator();
    auto failed = [&context](const Error &e) {
        context.printError(e.message);
        return Failed;
    };
    if (action == u"vault-login" && words.isEmpty()) {
        const QString token = readValue(context.err(), u"the Vault token"_s);
        if (token.isEmpty())
            return context.usageError(u"vault-login: no token on stdin"_s);
        if (auto saved = Keychain::write(QLatin1StringView(Keychain::VaultToken), token.toUtf8());
            !saved)
            return failed(saved.error());
        context.out() << "the Vault token is in the OS keychain (portoser/" << Keychain::VaultToken
                      << ")\n";
        return Ok;
    }
    if (action == u"migrate-all" || action == u"migrate") {
        if ((action == u"migrate-all") != words.isEmpty())
            return context.usageError(u"say migrate-all, or migrate SERVICE..."_s);
        const auto registry = context.validRegistry();
        if (!registry)
            return Failed;
        SecretsMigrator::Options options;
        options.dryRun = args.isSet(DryRunOption);
        options.removeOriginals = args.isSet(RemoveOriginalsOption);
        auto steps = orchestrator.migrateSecrets(*registry, words, options, kind);
        if (!steps)
            return failed(steps.error());
        QJsonArray items;
        TextTable table({u"SERVICE"_s, u"FROM"_s, u"TO"_s, u"RESULT"_s});
        bool allOk = true;
        for (const MigrationStep &step : std::as_const(*steps)) {
            items.append(step.toJson());
            allOk = allOk && step.error.isEmpty();
            const QString result =
                !step.error.isEmpty()     ? u"error: "_s + step.error
                : !step.skipped.isEmpty() ? u"skipped: "_s + step.skipped
                : step.written.isEmpty() && step.referenced.isEmpty()
                    ? u"already migrated (%1 keys)"_s.arg(step.keys.size())
                    : u"%1 %2 of %3 keys%4%5"_s.arg(options.dryRun ? u"would write"_s : u"wrote"_s)
                          .arg(step.written.size())
                          .arg(step.keys.size())
                          .arg(step.referenced.isEmpty()
                                   ? QString()
                                   : u"; references for "_s + step.referenced.join(u", "_s))
                          .arg(step.originalRemoved ? u"; original removed"_s : QString());
            table.addRow({step.service, step.source, step.path, result});
        }
        if (context.json())
            context.printJson(QJsonObject{{u"dry_run"_s, options.dryRun}, {u"services"_s, items}});
        else
            table.print(context.out());
        return allOk ? Ok : Failed;
    }
    auto opened = orchestrator.secrets(kind);
    if (action == u"backend" && words == QStringList{u"status"_s}) {
        if (!opened)
            return failed(opened.error());
        const QJsonObject status = (*opened)->status();
        if (context.json()) {
            context.printJson(status);
        } else {
            for (auto it = status.begin(); it != status.end(); ++it)
                context.out() << it.key() << ": "
                              << (it->isString()
                                      ? it->toString()
                                      : QString::fromUtf8(QJsonDocument(QJsonArray{*it})
                                                              .toJson(QJsonDocument::Compact))
                                            .mid(1)
                                            .chopped(1))
                              << '\n';
        }
        return status.value(u"unlocked"_s).toBool() ? Ok : Failed;
    }
    if (!opened)
        return failed(opened.error());
    SecretsBackend &store = **opened;

    if (action == u"list" && words.size() <= 1) {
        auto listed = orchestrator.secretList(
            orchestrator.checkRegistry(context.registryPath()).registry, kind, words.value(0));
        if (!listed)
            return failed(listed.error());
        if (context.json()) { // the entries, as this command has always printed them
            context.printJson(listed->toJson().value(u"secrets"_s).toArray());
            return Ok;
        }
        TextTable table({u"PATH"_s, u"KEY"_s, u"VERSION"_s, u"UPDATED"_s, u"USED BY"_s});
        for (const SecretEntry &e : std::as_const(listed->secrets))
            table.addRow({e.path, e.key, QString::number(e.version),
                          e.updatedAt.toLocalTime().toString(Qt::ISODate), e.usedBy.join(u", "_s)});
        table.print(context.out());
        return Ok;
    }
    if (action == u"put" && words.size() == 2) {
        const QString value = readValue(context.err(), words.at(0) + u'#' + words.at(1));
        auto version = store.put(words.at(0), words.at(1), value);
        if (!version)
            return failed(version.error());
        context.out() << words.at(0) << '#' << words.at(1) << ": version " << *version << '\n';
        return Ok;
    }
    if (action == u"import-env" && words.size() == 1) {
        if (!args.isSet(PathOption))
            return context.usageError(u"import-env FILE --path PATH: say where the keys go"_s);
        QFile file(words.at(0));
        if (!file.open(QIODevice::ReadOnly))
            return failed(
                Error{ErrorCode::NotFound, u"%1: %2"_s.arg(words.at(0), file.errorString())});
        auto values = EnvFile::parse(file.readAll(), words.at(0));
        if (!values)
            return failed(values.error());
        const QString path = args.value(PathOption);
        auto changed = store.writeChanged(path, *values, args.isSet(DryRunOption));
        if (!changed)
            return failed(changed.error());
        if (context.json()) {
            context.printJson(QJsonObject{{u"path"_s, path},
                                          {u"dry_run"_s, args.isSet(DryRunOption)},
                                          {u"keys"_s, QJsonArray::fromStringList(values->keys())},
                                          {u"written"_s, QJsonArray::fromStringList(*changed)}});
        } else {
            for (auto it = values->cbegin(); it != values->cend(); ++it)
                context.out() << (changed->contains(it.key()) ? "  + " : "  = ") << path << '#'
                              << it.key() << '\n';
            context.out() << (args.isSet(DryRunOption) ? "would write " : "wrote ")
                          << changed->size() << " of " << values->size() << " keys to " << path
                          << " (= unchanged)\n";
        }
        return Ok;
    }
    if ((action == u"undelete" || action == u"destroy") && words.size() >= 2) {
        auto *vault = dynamic_cast<VaultSecretStore *>(&store);
        if (!vault)
            return failed(
                Error{ErrorCode::InvalidInput,
                      u"%1 works on Vault's versions; use --backend vault"_s.arg(action)});
        const QList<int> versions = versionNumbers(words.mid(1));
        if (versions.isEmpty())
            return context.usageError(u"%1 PATH VERSION...: versions are numbers"_s.arg(action));
        const auto what = action == u"undelete" ? VaultSecretStore::VersionAction::Undelete
                                                : VaultSecretStore::VersionAction::Destroy;
        if (auto done = vault->changeVersions(words.at(0), what, versions); !done)
            return failed(done.error());
        context.out() << words.at(0) << ": " << action << "d " << words.mid(1).join(u' ') << '\n';
        return Ok;
    }
    const auto ref = SecretReference::parse(words.value(0));
    if (!ref || !ref->backend.isEmpty())
        return context.usageError(
            u"say what to do (list, get, put, delete, versions, rollback, import-env, migrate-all, "
            "backend status) and name a secret as PATH#KEY (e.g. services/api#DB_PASSWORD)"_s);
    const QString &path = ref->path;
    const QString &key = ref->key;
    if (action == u"get" && words.size() == 1) {
        const int version = args.value(VersionOption).toInt();
        auto value = store.get(path, key, version);
        if (!value)
            return failed(value.error());
        int shown = version;
        if (!shown) {
            auto all = store.versions(path, key);
            shown = all ? all->last().version : 0;
        }
        if (args.isSet(RevealOption)) {
            if (context.json())
                context.printJson(QJsonObject{{u"path"_s, path},
                                              {u"key"_s, key},
                                              {u"version"_s, shown},
                                              {u"value"_s, *value}});
            else
                context.out() << *value << '\n';
        } else if (context.json()) {
            context.printJson(QJsonObject{
                {u"path"_s, path}, {u"key"_s, key}, {u"version"_s, shown}, {u"set"_s, true}});
        } else {
            context.out() << path << '#' << key << ": set (version " << shown
                          << "); --reveal prints it\n";
        }
        return Ok;
    }
    if (action == u"delete" && words.size() == 1) {
        if (auto removed = store.remove(path, key); !removed)
            return failed(removed.error());
        context.out() << path << '#' << key << " deleted (its versions are kept)\n";
        return Ok;
    }
    if (action == u"versions" && words.size() == 1) {
        auto history = store.versions(path, key);
        if (!history)
            return failed(history.error());
        QJsonArray items;
        TextTable table({u"VERSION"_s, u"AT"_s, u"STATE"_s});
        for (const SecretVersion &v : std::as_const(*history)) {
            items.append(QJsonObject{{u"version"_s, v.version},
                                     {u"at"_s, v.at.toString(Qt::ISODateWithMs)},
                                     {u"deleted"_s, v.deleted}});
            table.addRow({QString::number(v.version), v.at.toLocalTime().toString(Qt::ISODate),
                          v.deleted ? u"deleted"_s : u"value"_s});
        }
        if (context.json())
            context.printJson(items);
        else
            table.print(context.out());
        return Ok;
    }
    if (action == u"rollback" && words.size() == 2) {
        bool ok = false;
        const int version = words.at(1).toInt(&ok);
        if (!ok || version < 1)
            return context.usageError(u"rollback PATH#KEY VERSION: VERSION is a number"_s);
        auto written = store.rollback(path, key, version);
        if (!written)
            return failed(written.error());
        context.out() << path << '#' << key << ": version " << version << " is current again (as "
                      << *written << ")\n";
        return Ok;
    }
    return context.usageError(
        u"say what to do: list, get, put, delete, versions, rollback, import-env, migrate-all, "
        "migrate, undelete, destroy, vault-login or backend status"_s);
}

} // namespace Portoser::Cli
