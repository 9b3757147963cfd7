// SPDX-License-Identifier: Apache-2.0
#include "tests/support/TempRegistry.h"

#include "core/Orchestrator.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace Portoser::Test {

TempRegistry::TempRegistry() = default;

QString TempRegistry::write(const QString &relativePath, const QByteArray &content)
{
    const QString full = m_dir.filePath(relativePath);
    QDir().mkpath(QFileInfo(full).absolutePath());
    QFile file(full);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        file.write(content);
    return full;
}

QString TempRegistry::path(const QString &relativePath) const
{
    return m_dir.filePath(relativePath);
}

CheckedRegistry TempRegistry::check(const QHash<QString, QString> &environment) const
{
    const Orchestrator orchestrator([environment](const QString &name) -> std::optional<QString> {
        if (environment.contains(name))
            return environment.value(name);
        return std::nullopt;
    });
    return orchestrator.checkRegistry(path());
}

QString describe(const IssueList &issues)
{
    QStringList lines;
    for (const Issue &issue : issues)
        lines.append(QFileInfo(issue.where.file).fileName() + u':'
                     + QString::number(issue.where.line) + u':'
                     + QString::number(issue.where.column)
                     + (issue.isError() ? u" error: " : u" warning: ") + issue.message);
    return lines.join(u'\n');
}

const Issue *findIssue(const IssueList &issues, const QString &needle)
{
    for (const Issue &issue : issues) {
        if (issue.message.contains(needle))
            return &issue;
    }
    return nullptr;
}

QString mismatchOfIssueAt(const CheckedRegistry &checked, const QString &needle, bool isError,
                          const QString &file, int line, int column)
{
    const Issue *issue = findIssue(checked.issues, needle);
    if (!issue)
        return QStringLiteral("no issue containing \"%1\" in:\n%2")
            .arg(needle, describe(checked.issues));
    const SourceLocation expected{file, line, column};
    if (issue->isError() != isError || issue->where != expected || checked.isValid() == isError)
        return QStringLiteral("expected %1 at %2, got: %3")
            .arg(isError ? u"an error" : u"a warning", expected.toString(), issue->toString());
    return {};
}

QByteArray dedent(const char *text)
{
    QList<QByteArray> lines = QByteArray(text).split('\n');
    while (!lines.isEmpty() && lines.first().trimmed().isEmpty())
        lines.removeFirst();
    while (!lines.isEmpty() && lines.last().trimmed().isEmpty())
        lines.removeLast();
    qsizetype indent = -1;
    for (const QByteArray &line : lines) {
        if (line.trimmed().isEmpty())
            continue;
        qsizetype n = 0;
        while (n < line.size() && line.at(n) == ' ')
            ++n;
        indent = indent < 0 ? n : std::min(indent, n);
    }
    QByteArray out;
    for (const QByteArray &line : lines)
        out += (line.size() >= indent ? line.mid(indent) : line.trimmed()) + '\n';
    return out;
}

} // namespace Portoser::Test
