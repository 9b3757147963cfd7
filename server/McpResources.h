// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/registry/Registry.h"
#include "core/runtime/EventHub.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <functional>
#include <optional>

namespace Portoser {

struct Operation;

/**
 * What a `portoser://` URI names and how it is read. Reads go through the same operations as the
 * tools and the REST routes (their roles apply), or, for the registry and the hosts, through the
 * same in-memory views GET /api/v1/registry and /hosts answer from.
 *
 *   portoser://registry                  the running registry, resolved
 *   portoser://services                  every service with its last observed state
 *   portoser://hosts                     every host with what was last observed of it
 *   portoser://hosts/{host}              one host
 *   portoser://services/{service}        one service's settings and state
 *   portoser://services/{service}/logs   the last 200 lines of its log (asks its host)
 *   portoser://services/{service}/history  its deployment records, newest first
 */
struct McpResource
{
    enum class Kind {
        Registry,
        Services,
        Hosts,
        Host,
        Service,
        Logs,
        History
    };
    Kind kind = Kind::Services;
    QString uri;
    QString name; // the service or host it is about, if any

    /** Parses `uri` against `registry`: nothing for a URI that names no resource. */
    static std::optional<McpResource> parse(const QString &uri, const Registry &registry);

    /** The catalog operation that reads it and its arguments; nullptr: read from memory. */
    const Operation *operation(QJsonObject *arguments) const;
    /** Whether its content changes only through events the coordinator publishes (so a
     *  subscription can tell; a log changes all the time). */
    bool subscribable() const { return kind != Kind::Logs; }

    /** resources/list: the direct resources, one per service and host included. */
    static QJsonArray list(const Registry &registry);
    /** resources/templates/list. */
    static QJsonArray templates();
    /** completion/complete for a template's {service} or {host}: names starting with `prefix`. */
    static QStringList complete(const Registry &registry, const QString &argument,
                                const QString &prefix);

    /**
     * The URIs whose content `event` changed: a health or heal event touches its service and
     * the lists, a finished job the histories of the services it named (`jobServices` reads a
     * job's arguments; empty: it named none, so every service), a registry reload everything.
     */
    static QStringList
    changedBy(const ApiEvent &event, const Registry &registry,
              const std::function<QStringList(const QString &jobId)> &jobServices);
};

} // namespace Portoser
