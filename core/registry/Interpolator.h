// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace Portoser {

/**
 * Expands `${VAR}` and `${VAR:-default}` in registry values; `$$` is a literal `$`, and a `$`
 * followed by anything else stays as written. Problems carry the offset of their `$` so the
 * loader can turn them into file:line:column.
 */
class Interpolator
{
public:
    using Lookup = std::function<std::optional<QString>(const QString &name)>;

    struct Problem
    {
        qsizetype offset = 0;
        QString message;
    };

    struct Outcome
    {
        QString text;
        QList<Problem> problems;
    };

    explicit Interpolator(Lookup lookup);

    /** A lookup that reads the coordinator's process environment. */
    static Lookup processEnvironment();

    Outcome expand(const QString &raw) const;

private:
    Lookup m_lookup;
};

} // namespace Portoser
