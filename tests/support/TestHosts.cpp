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
            hosts.m_addresses.insert(QString::fromLatin1(name), QString::fromLatin1(line.mid(line.indexOf('=') + 1)));
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
    tool.start(qEnvironmentVariable("PORTOSER_SOURCE_DIR") + QStringLiteral("/tests/hosts/portoser-test-hosts"), args);
    return tool.waitForFinished(30000) && tool.exitStatus() == QProcess::NormalExit && tool.exitCode() == 0;
}

} // namespace Portoser::Test
