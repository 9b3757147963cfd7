// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Registry.h"

#include <QHash>
#include <QTemporaryDir>

namespace Portoser::Test {

/** A throw-away directory holding a registry.yml and any files it includes. */
class TempRegistry
{
public:
    TempRegistry();

    /** Writes `relativePath` (directories created) and returns its absolute path. */
    QString write(const QString &relativePath, const QByteArray &content);
    /** Writes registry.yml and returns its path. */
    QString writeRegistry(const QByteArray &content)
    {
        return write(QStringLiteral("registry.yml"), content);
    }
    QString path(const QString &relativePath = QStringLiteral("registry.yml")) const;

    /** Loads and validates registry.yml with the given environment (nothing else leaks in). */
    CheckedRegistry check(const QHash<QString, QString> &environment = {}) const;

private:
    QTemporaryDir m_dir;
};

/** Every issue as "line:col: error|warning: message" relative to the temp dir, for readable
 * failures. */
QString describe(const IssueList &issues);

/** The first issue whose message contains `needle`, or nullptr. */
const Issue *findIssue(const IssueList &issues, const QString &needle);

/**
 * Checks that `checked` has an issue containing `needle` of the given severity at `line`:`column`
 * of `file`. Returns an empty string when it does, else what was found instead (for QVERIFY2).
 */
QString mismatchOfIssueAt(const CheckedRegistry &checked, const QString &needle, bool isError,
                          const QString &file, int line, int column);

/** Removes leading indentation shared by all lines, so YAML can be written indented in tests. */
QByteArray dedent(const char *text);

} // namespace Portoser::Test
