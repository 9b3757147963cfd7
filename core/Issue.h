// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>

namespace Portoser {

/** A place in a file the user wrote; line and column start at 1, 0 means unknown. */
struct SourceLocation
{
    QString file;
    int line = 0;
    int column = 0;

    bool isValid() const { return !file.isEmpty(); }
    /** "file:line:col", shortened to what is known. */
    QString toString() const;
    bool operator==(const SourceLocation &) const = default;
};

/** One validation finding, rendered alike by the CLI, the GUI issues panel and the API. */
struct Issue
{
    enum class Severity {
        Error,
        Warning
    };

    Severity severity = Severity::Error;
    SourceLocation where;
    QString message; // a whole sentence that names the host/service/field concerned

    bool isError() const { return severity == Severity::Error; }
    /** "file:line:col: error: message", the form compilers use so editors can jump to it. */
    QString toString() const;
};

using IssueList = QList<Issue>;

int errorCount(const IssueList &issues);
int warningCount(const IssueList &issues);

} // namespace Portoser
