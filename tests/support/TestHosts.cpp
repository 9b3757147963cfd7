// SPDX-License-Identifier: Apache-2.0
#include "tests/support/TestHosts.h"

#include <QFile>
#include <QProcess>

#include <unistd.h>

namespace Portoser::Test {

TestHosts TestHosts::fromEnvironment()
{
    TestHosts hosts;
    hosts.m_dir = qEnvironmentVariable("PORTOSER_TEST_HOSTS_DIR");
    QFile env(hosts.m_dir + QStringLiteral("/hosts.env"));
    if (::geteuid() != 0 || !env.open(QIODevice::ReadOnly))
        return hosts;
    for (const QByteArray &line : env.readAll().split('\n')) {
        if (line.startsWith('H') && line.contains("_ADDR=")) {
            const QByteArray name = line.left(line.indexOf('_')).toLower();
            hosts.m_addresses.insert(QString::fromLatin1(name),
                                     QString::fromLatin1(line.mid(line.indexOf('=') + 1)));
        }
    }
    return hosts;
}

QByteArray TestHosts::registryFragment() const
{
    QFile file(m_dir + QStringLiteral("/hosts.yml"));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool TestHosts::tool(const QStringList &args) const
{
    QProcess tool;
    tool.start(qEnvironmentVariable("PORTOSER_SOURCE_DIR")
                   + QStringLiteral("/tests/hosts/portoser-test-hosts"),
               args);
    return tool.waitForFinished(30000) && tool.exitStatus() == QProcess::NormalExit
           && tool.exitCode() == 0;
}

std::optional<QByteArray> TestHosts::ssh(const QString &host, const QString &script) const
{
    QProcess ssh;
    ssh.start(QStringLiteral("ssh"),
              {QStringLiteral("-i"), m_dir + QStringLiteral("/id_ed25519"), QStringLiteral("-o"),
               QStringLiteral("UserKnownHostsFile=") + m_dir + QStringLiteral("/known_hosts"),
               QStringLiteral("-o"), QStringLiteral("BatchMode=yes"),
               QStringLiteral("root@") + address(host), script});
    if (!ssh.waitForFinished(60000) || ssh.exitStatus() != QProcess::NormalExit
        || ssh.exitCode() != 0) {
        qWarning("ssh %s failed: %s", qPrintable(host), ssh.readAllStandardError().constData());
        return std::nullopt;
    }
    return ssh.readAllStandardOutput();
}

} // namespace Portoser::Test
