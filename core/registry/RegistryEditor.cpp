// SPDX-License-Identifier: Apache-2.0
#include "core/registry/RegistryEditor.h"

#include "core/registry/FieldRules.h"

#include <QFile>
#include <QSaveFile>

namespace Portoser {

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

    QFile::remove(where.file + QStringLiteral(".bak"));
    if (!QFile::copy(where.file, where.file + QStringLiteral(".bak")))
        return Error{ErrorCode::Failed,
                     QStringLiteral("cannot keep a backup of %1").arg(where.file)};
    QSaveFile out(where.file); // temp file + fsync + rename
    if (!out.open(QIODevice::WriteOnly))
        return Error{ErrorCode::Failed,
                     QStringLiteral("cannot write %1: %2").arg(where.file, out.errorString())};
    out.write(lines.join('\n'));
    if (!out.commit())
        return Error{ErrorCode::Failed,
                     QStringLiteral("cannot write %1: %2").arg(where.file, out.errorString())};
    return {};
}

} // namespace Portoser
