// SPDX-License-Identifier: Apache-2.0
#include "core/registry/RegistryEditor.h"

#include "core/registry/FieldRules.h"
#include "core/registry/RegistryLoader.h"

#include <QFile>
#include <QSaveFile>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

Result<QList<QByteArray>> readLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Failed, u"cannot read %1: %2"_s.arg(path, file.errorString())};
    return file.readAll().split('\n');
}

/** Keeps `<path>.bak`, then replaces the file atomically (temp file + fsync + rename). */
Result<void> writeLines(const QString &path, const QList<QByteArray> &lines)
{
    QFile::remove(path + u".bak"_s);
    if (!QFile::copy(path, path + u".bak"_s))
        return Error{ErrorCode::Failed, u"cannot keep a backup of %1"_s.arg(path)};
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return Error{ErrorCode::Failed, u"cannot write %1: %2"_s.arg(path, out.errorString())};
    out.write(lines.join('\n'));
    if (!out.commit())
        return Error{ErrorCode::Failed, u"cannot write %1: %2"_s.arg(path, out.errorString())};
    return {};
}

} // namespace

QByteArray RegistryEditor::yamlQuoted(const QString &text)
{
    QByteArray out = "\"";
    for (const char c : text.toUtf8()) { // UTF-8 bytes: characters beyond the BMP stay whole
        if (c == '"' || c == '\\')
            out += '\\';
        if (static_cast<unsigned char>(c) < 0x20)
            out += "\\x"
                   + QByteArray::number(static_cast<unsigned char>(c), 16).rightJustified(2, '0');
        else
            out += c;
    }
    return out + '"';
}

QByteArray RegistryEditor::newRegistry(const Host &h)
{
    QByteArray y = "# Written by Portoser (the host wizard). Add services under `services:` (see\n"
                   "# docs/registry.md); more hosts under `hosts:`.\nhosts:\n  "
                   + yamlQuoted(h.name) + ":\n"; // quoted: a host called "yes" stays a name
    if (!h.ip.isEmpty())
        y += "    ip: " + yamlQuoted(h.ip) + '\n';
    if (!h.sshHostname.isEmpty())
        y += "    ssh_hostname: " + yamlQuoted(h.sshHostname) + '\n';
    if (!h.sshUser.isEmpty())
        y += "    ssh_user: " + yamlQuoted(h.sshUser) + '\n';
    if (h.sshPort != Host::DefaultSshPort)
        y += "    ssh_port: " + QByteArray::number(h.sshPort) + '\n';
    if (h.maxParallel != Host::DefaultMaxParallel)
        y += "    max_parallel: " + QByteArray::number(h.maxParallel) + '\n';
    if (!h.sshKey.isEmpty())
        y += "    ssh_key: " + yamlQuoted(h.sshKey) + '\n';
    if (!h.path.isEmpty())
        y += "    path: " + yamlQuoted(h.path) + '\n';
    if (!h.arch.isEmpty())
        y += "    arch: " + yamlQuoted(h.arch) + '\n';
    y += "    transport: ssh\nservices: {}\n";
    return y;
}

Result<void> RegistryEditor::setCurrentHost(const Service &service, const QString &host)
{
    if (const auto bad = FieldRules::checkName(host))
        return Error{ErrorCode::InvalidInput, QStringLiteral("host name %1").arg(*bad)};
    const SourceLocation where = service.where(QStringLiteral("current_host"));
    if (!service.fields.contains(QStringLiteral("current_host")) || where.line <= 0
        || where.column <= 0)
        return Error{ErrorCode::NotFound,
                     QStringLiteral("service %1 has no current_host to change").arg(service.name)};
    QFile file(where.file);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::Failed,
                     QStringLiteral("cannot read %1: %2").arg(where.file, file.errorString())};
    const QByteArray original = file.readAll();
    file.close();
    QList<QByteArray> lines = original.split('\n');
    if (where.line > lines.size())
        return Error{ErrorCode::Conflict,
                     QStringLiteral("%1 changed since it was read").arg(where.file)};
    QByteArray &line = lines[where.line - 1];
    const qsizetype start = where.column - 1;
    if (start >= line.size())
        return Error{ErrorCode::Conflict,
                     QStringLiteral("%1 changed since it was read").arg(where.file)};
    // The old value: a quoted scalar up to its closing quote, or a plain one up to a comment.
    qsizetype end = line.size();
    const char first = line.at(start);
    if (first == '"' || first == '\'') {
        end = line.indexOf(first, start + 1);
        if (end < 0)
            return Error{ErrorCode::Conflict,
                         QStringLiteral("%1:%2: unexpected value").arg(where.file).arg(where.line)};
        ++end;
    } else {
        const qsizetype comment = line.indexOf(" #", start);
        if (comment >= 0)
            end = comment;
        while (end > start && (line.at(end - 1) == ' ' || line.at(end - 1) == '\r'))
            --end;
    }
    if (QString::fromUtf8(line.mid(start, end - start)).remove(u'"').remove(u'\'')
        != service.currentHost)
        return Error{ErrorCode::Conflict,
                     QStringLiteral("%1:%2 no longer says current_host: %3; reload the registry")
                         .arg(where.file)
                         .arg(where.line)
                         .arg(service.currentHost)};
    line.replace(start, end - start, host.toUtf8());

    return writeLines(where.file, lines);
}

Result<void> RegistryEditor::addSecrets(const Service &loaded,
                                        const QMap<QString, QString> &references, bool dropEnvFile)
{
    const QString path = loaded.location.file;
    auto read = readLines(path);
    if (!read)
        return read.error();
    QList<QByteArray> lines = *read;
    // Where the service stands now, not where it stood when the registry was loaded: the file
    // may have moved on since (an operator's edit; this run's edit of another service above it).
    const RegistryLoader reader([](const QString &) { return std::nullopt; },
                                RegistryLoader::FileAccess::None);
    const CheckedRegistry now = reader.loadFromText(read->join('\n'), path);
    const Service *current = now.registry.service(loaded.name);
    if (!current || current->location.file != path || current->location.line <= 0
        || current->location.line > lines.size())
        return Error{ErrorCode::Conflict,
                     u"%1 no longer defines service %2 where it did; reload the registry and try "
                     "again"_s.arg(path, loaded.name)};
    const Service &service = *current;
    const auto lineAt = [&](int line) -> QByteArray & { return lines[line - 1]; };
    const auto fieldLine = [&](const QString &field) {
        const SourceLocation at = service.where(field);
        return service.fields.contains(field) && at.file == path && at.line > 0
                       && at.line <= lines.size()
                   ? at.line
                   : 0;
    };
    QList<QByteArray> entries;
    for (auto it = references.cbegin(); it != references.cend(); ++it) {
        if (!service.secrets.contains(it.key()))
            entries.append(it.key().toUtf8() + ": " + yamlQuoted(it.value()));
    }
    const int envLine = dropEnvFile ? fieldLine(u"env_file"_s) : 0;
    if (envLine && !lineAt(envLine).trimmed().startsWith("env_file:"))
        return Error{
            ErrorCode::Conflict,
            u"%1:%2 no longer holds env_file; reload the registry"_s.arg(path).arg(envLine)};
    // Edits bottom-up so earlier line numbers stay true.
    QList<std::pair<int, QList<QByteArray>>> inserts; // before line N (1-based), these lines
    if (!entries.isEmpty()) {
        if (const int secretsLine = fieldLine(u"secrets"_s)) {
            const SourceLocation at = service.where(u"secrets"_s);
            if (lineAt(secretsLine).mid(at.column - 1).startsWith('{'))
                return Error{ErrorCode::Conflict,
                             u"%1:%2: service %3 writes secrets as a {flow map}; add the "
                             "references by hand or make it a block map"_s.arg(path)
                                 .arg(secretsLine)
                                 .arg(service.name)};
            const QByteArray indent(at.column - 1, ' ');
            for (QByteArray &e : entries)
                e.prepend(indent);
            inserts.append({secretsLine, entries});
        } else {
            // A new map where env_file was, or above the service's first field.
            const int anchor = envLine ? envLine : service.location.line;
            const QByteArray text = lineAt(anchor);
            const qsizetype column =
                envLine ? text.indexOf("env_file") : service.location.column - 1;
            const QByteArray indent(column, ' ');
            QList<QByteArray> block{indent + "secrets:"};
            for (const QByteArray &e : std::as_const(entries))
                block.append(indent + "  " + e);
            inserts.append({anchor, block});
        }
    }
    int removeLine = envLine;
    std::sort(inserts.begin(), inserts.end(),
              [](const auto &a, const auto &b) { return a.first > b.first; });
    if (removeLine && (inserts.isEmpty() || removeLine >= inserts.first().first)) {
        lines.removeAt(removeLine - 1);
        removeLine = 0;
    }
    for (const auto &[before, block] : std::as_const(inserts)) {
        for (qsizetype i = block.size() - 1; i >= 0; --i)
            lines.insert(before - 1, block.at(i));
    }
    if (removeLine) // above every insertion: its number did not move
        lines.removeAt(removeLine - 1);
    if (lines == *read)
        return {};
    return writeLines(path, lines);
}

} // namespace Portoser
