// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringList>
#include <QTextStream>

namespace Portoser::Cli {

/** Left-aligned columns for terminal output, sized to their widest cell. */
class TextTable
{
public:
    explicit TextTable(QStringList header)
        : m_rows{std::move(header)}
    {}

    void addRow(QStringList row) { m_rows.append(std::move(row)); }
    void print(QTextStream &out) const;

private:
    QList<QStringList> m_rows;
};

} // namespace Portoser::Cli
