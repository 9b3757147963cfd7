// SPDX-License-Identifier: Apache-2.0
#include "app/cli/SecretsCommand.h"

#include "app/cli/TextTable.h"

#include <QFileInfo>
#include <QJsonArray>
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

/** "services/api#DB_PASSWORD" -> {path, key}. */
std::optional<std::pair<QString, QString>> reference(const QString &text)
{
    const qsizetype hash = text.lastIndexOf(u'#');
    if (hash <= 0 || hash == text.size() - 1)
        return std::nullopt;
    return std::pair{text.left(hash), text.mid(hash + 1)};
}

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

} // namespace

CommandSpec SecretsCommand::spec() const
{
    CommandSpec s{
        u"secrets"_s,
        u"list [PREFIX] | get PATH#KEY [--reveal] [--version N] | put PATH KEY | "
        "delete PATH#KEY | versions PATH#KEY | rollback PATH#KEY VERSION | backend status"_s,
        u"The encrypted local secrets store (AES-256-GCM, scrypt passphrase)."_s,
        u"The store is $PORTOSER_SECRETS_FILE or ~/.portoser/secrets.enc; its passphrase "
        "comes from $PORTOSER_SECRETS_PASSPHRASE or a key file ($PORTOSER_SECRETS_KEY_FILE "
        "or ~/.portoser/secrets.key, mode 600).\n"
        "put reads the value from stdin (a prompt without echo on a terminal), never from "
        "the command line, where process lists would show it. get prints a value only "
        "with --reveal."_s,
        {RevealOption, VersionOption}};
    return s;
}

int SecretsCommand::run(CliContext &context, const QCommandLineParser &args)
{
    QStringList words = args.positionalArguments();
    const QString action = words.isEmpty() ? QString() : words.takeFirst();
    if (action == u"backend" && words == QStringList{u"status"_s}) {
        const QString path = LocalSecretStore::defaultPath();
        auto store = context.orchestrator().secretStore();
        const QJsonObject status{
            {u"backend"_s, u"local"_s},
            {u"file"_s, path},
            {u"exists"_s, QFileInfo::exists(path)},
            {u"unlocked"_s, bool(store)},
            {u"error"_s, store ? QJsonValue() : QJsonValue(store.error().message)},
            {u"paths"_s, store ? int((*store)->paths().size()) : 0}};
        if (context.json())
            context.printJson(status);
        else
            context.out() << "backend: local (AES-256-GCM)\nfile:    " << path
                          << (QFileInfo::exists(path) ? "" : " (not written yet)") << "\nstate:   "
                          << (store ? u"unlocked, %1 paths"_s.arg((*store)->paths().size())
                                    : u"locked: "_s + store.error().message)
                          << '\n';
        return store ? Ok : Failed;
    }
    auto opened = context.orchestrator().secretStore();
    if (!opened) {
        context.printError(opened.error().message);
        return Failed;
    }
    LocalSecretStore &store = **opened;
    auto failed = [&context](const Error &e) {
        context.printError(e.message);
        return Failed;
    };

    if (action == u"list" && words.size() <= 1) {
        QJsonArray items;
        TextTable table({u"PATH"_s, u"KEY"_s, u"VERSION"_s, u"UPDATED"_s});
        for (const QString &path : store.paths(words.value(0))) {
            for (const QString &key : store.keys(path)) {
                const SecretVersion last = store.versions(path, key).last();
                items.append(QJsonObject{{u"path"_s, path},
                                         {u"key"_s, key},
                                         {u"version"_s, last.version},
                                         {u"updated_at"_s, last.at.toString(Qt::ISODateWithMs)}});
                table.addRow({path, key, QString::number(last.version),
                              last.at.toLocalTime().toString(Qt::ISODate)});
            }
        }
        if (context.json())
            context.printJson(items);
        else
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
    const auto ref = reference(words.value(0));
    if (!ref)
        return context.usageError(u"name the secret as PATH#KEY (e.g. services/api#DB_PASSWORD)"_s);
    const auto &[path, key] = *ref;
    if (action == u"get" && words.size() == 1) {
        const int version = args.value(VersionOption).toInt();
        auto value = store.get(path, key, version);
        if (!value)
            return failed(value.error());
        const QList<SecretVersion> all = store.versions(path, key);
        const int shown = version ? version : all.last().version;
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
        QJsonArray items;
        TextTable table({u"VERSION"_s, u"AT"_s, u"STATE"_s});
        for (const SecretVersion &v : store.versions(path, key)) {
            items.append(QJsonObject{{u"version"_s, v.version},
                                     {u"at"_s, v.at.toString(Qt::ISODateWithMs)},
                                     {u"deleted"_s, v.deleted}});
            table.addRow({QString::number(v.version), v.at.toLocalTime().toString(Qt::ISODate),
                          v.deleted ? u"deleted"_s : u"value"_s});
        }
        if (items.isEmpty())
            return failed(Error{ErrorCode::NotFound, u"no secret %1#%2"_s.arg(path, key)});
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
        u"say what to do: list, get, put, delete, versions, rollback or backend status"_s);
}

} // namespace Portoser::Cli
