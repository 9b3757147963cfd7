// SPDX-License-Identifier: Apache-2.0
#include "core/Issue.h"

#include <algorithm>

namespace Portoser {

QString SourceLocation::toString() const
{
    QString text = file;
    if (line > 0) {
        text += u':' + QString::number(line);
        if (column > 0)
            text += u':' + QString::number(column);
    }
    return text;
}

QString Issue::toString() const
{
    const QString kind = isError() ? QStringLiteral("error") : QStringLiteral("warning");
    if (!where.isValid())
        return kind + QStringLiteral(": ") + message;
    return where.toString() + QStringLiteral(": ") + kind + QStringLiteral(": ") + message;
}

int errorCount(const IssueList &issues)
{
    return int(
        std::count_if(issues.begin(), issues.end(), [](const Issue &i) { return i.isError(); }));
}

int warningCount(const IssueList &issues)
{
    return int(issues.size()) - errorCount(issues);
}

} // namespace Portoser
