// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Portoser::Test {

/** The namespace test hosts made by tests/hosts/portoser-test-hosts, as the suite's C++ tests see
 * them. */
class TestHosts
{
public:
    /** Reads $PORTOSER_TEST_HOSTS_DIR; empty when not root or the fixture did not run. */
    static TestHosts fromEnvironment();

    bool isEmpty() const { return m_addresses.isEmpty(); }
    qsizetype size() const { return m_addresses.size(); }
    QString dir() const { return m_dir; }
    QString address(const QString &host) const { return m_addresses.value(host); }
    QMap<QString, QString> addresses() const { return m_addresses; }
    /** The `hosts:` registry fragment the fixture wrote. */
    QByteArray registryFragment() const;
    /** Runs the fixture tool (kill-sshd h2, link-up h3, ...); true when it succeeded. */
    bool tool(const QStringList &args) const;
    /** Runs `script` on `host` with the OpenSSH client (an independent way in); its stdout, or
     * nothing when it failed. */
    std::optional<QByteArray> ssh(const QString &host, const QString &script) const;

private:
    QString m_dir;
    QMap<QString, QString> m_addresses; // h1 -> 10.231.1.2
};

} // namespace Portoser::Test
