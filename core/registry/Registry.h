// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Issue.h"
#include "core/Result.h"
#include "core/registry/Host.h"
#include "core/registry/Service.h"

#include <QMap>
#include <QString>

namespace Portoser {

/** The registry's `caddy` section: where the ingress proxy runs and how to reach its admin API. */
struct CaddySettings
{
    QString ingressHost;
    QString adminEndpoint; // also read from upstream's `admin_api`
    int httpPort = 80;
    int httpsPort = 443;
    bool present = false;

    SourceLocation location;
    QHash<QString, SourceLocation> fields;
    SourceLocation where(const QString &field) const { return fields.value(field, location); }
};

/** The registry's `coordinator` section: the `portoser --serve` that runs this cluster. The window
 *  and the CLI work through it by default, and no other watchdog heals while it answers. */
struct CoordinatorSettings
{
    QString url; // http(s)://host[:port]; empty: none named
    SourceLocation location;
};

/** One place the coordinator tells people what happened (the registry's `notifications`). */
struct NotificationChannel
{
    enum class Type {
        Webhook, // a JSON POST of the event
        Ntfy,    // an ntfy.sh-compatible topic URL
        Slack,   // a Slack/Mattermost/Discord-compatible incoming webhook
        Email    // SMTP with STARTTLS
    };
    Type type = Type::Webhook;
    QString url;        // webhook, ntfy, slack
    QString urlSecret;  // or a secret reference holding the URL (a Slack URL is a credential)
    QStringList events; // which events it gets; empty: all of them
    QString smtpHost;   // email: smtp: host[:port]
    int smtpPort = 587;
    QString from;
    QStringList to;
    QString username;
    QString passwordSecret; // a secret reference, never a password
    SourceLocation location;

    /** The events a channel may ask for, in the order the docs list them. */
    static const QStringList &eventNames();
    static const QStringList &typeNames();
    bool wants(const QString &event) const { return events.isEmpty() || events.contains(event); }
};

/** The whole cluster description after includes, interpolation and service.yml merging. */
struct Registry
{
    QString path; // the top-level file
    QString domain;
    SourceLocation domainLocation;
    QMap<QString, Host> hosts;       // sorted by name: stable output everywhere
    QMap<QString, Service> services; // sorted by name
    CaddySettings caddy;
    CoordinatorSettings coordinator;
    QList<NotificationChannel> notifications;
    /** What an edit of should reload it: every file read (the registry, its includes, service
     *  files) and the directories an include glob looked in (a new match appears there). */
    QStringList watchPaths;

    const Host *host(const QString &name) const;
    const Service *service(const QString &name) const;
    /** The one wording of a name that is not a service here: `no service named "x" in <file>`
     *  (with several names, each is named). */
    QString unknownService(const QString &name) const;
    /** The same as a NotFound error. */
    Error unknownServiceError(const QString &name) const;
    /** Services whose current_host is `hostName`, by name. */
    QList<const Service *> servicesOn(const QString &hostName) const;
    /** Services on `hostName` or on any other registry host that is the same machine (same
     * address). */
    QList<const Service *> servicesOnMachineOf(const QString &hostName) const;
};

/** A registry as loaded, with every problem the loader and validator found. */
struct CheckedRegistry
{
    Registry registry;
    IssueList issues;

    bool isValid() const { return errorCount(issues) == 0; }
};

} // namespace Portoser
