// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Issue.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

namespace Portoser {

/** How the coordinator reaches a host: over SSH, or directly when the host is this machine. */
enum class TransportKind {
    Ssh,
    Local
};

/** A worker machine as the registry describes it. */
/** The registry's arch form ("amd64-linux", "arm64-apple") of what `uname -s`/`uname -m` say. */
QString archOf(const QString &os, const QString &machine);

struct Host
{
    static constexpr int DefaultSshPort = 22;
    /** How many of one wave's services the host starts (and gates) at once: a Pi is not flooded. */
    static constexpr int DefaultMaxParallel = 4;

    QString name;
    QString ip;
    QString sshUser; // empty: the coordinator's user
    int sshPort = DefaultSshPort;
    QString sshHostname; // preferred over ip for connecting when set
    QString path;        // base directory for everything Portoser keeps on the host
    QString arch;        // arm64-apple | arm64-linux | amd64-linux | os/arch
    QStringList roles;
    QString description;
    TransportKind transport = TransportKind::Ssh;
    bool transportExplicit = false;
    QString sshKey;
    QString knownHosts;
    int maxParallel = DefaultMaxParallel; // `max_parallel`, 1-64

    SourceLocation location;               // where the host's name is written
    QHash<QString, SourceLocation> fields; // where each of its keys is written
    QSet<QString> invalidFields;           // written but unreadable; already reported

    /** Where `field` is written, falling back to the host's own entry. */
    SourceLocation where(const QString &field) const { return fields.value(field, location); }
    /** The name or address to connect to. */
    QString address() const { return sshHostname.isEmpty() ? ip : sshHostname; }
    /** Local when asked for, or when the address is loopback and nothing says otherwise. */
    bool isLocal() const;
};

} // namespace Portoser
