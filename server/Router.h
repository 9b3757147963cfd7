// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Result.h"
#include "core/access/Access.h"
#include "server/HttpServer.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QMap>

#include <functional>
#include <memory>

namespace Portoser {

/** One routed request: what the handler needs, and how it answers (once, from any thread). */
class ApiCall
{
public:
    HttpRequest request;
    QMap<QString, QString> params; // from {placeholders} in the route pattern
    Principal principal;
    std::shared_ptr<HttpExchange> exchange;
    std::function<void(const HttpResponse &)> finish; // set by the server: answers and audits

    void reply(const QJsonValue &body, int status = 200);
    void fail(const Error &error);
    void fail(int status, const QString &code, const QString &message);
    /** Answers a read the coordinator would not queue (Coordinator::admitRead): 429 when this
     *  caller has its share waiting, else 503; both say when to try again. */
    void failBusy(bool callersShare, const QString &message);
    /** The body as a JSON object (an empty body is {}); an error says what is wrong. */
    Result<QJsonObject> jsonBody() const;
    /** A query parameter, or `fallback`. */
    QString query(const QString &name, const QString &fallback = {}) const;
};

using CallPtr = std::shared_ptr<ApiCall>;

struct Route
{
    QByteArray method;
    QString pattern; // "/api/v1/services/{name}"
    Role role = Role::Viewer;
    bool audited = false; // mutating: every call is written to the audit log
    bool open = false;    // no authentication (/healthz)
    QString summary;      // for the OpenAPI description
    QString operation;    // the Operations entry it runs, if any (its schema documents the input)
    std::function<void(const CallPtr &)> handler;

    static Route make(QByteArray method, QString pattern, Role role, bool audited, QString summary,
                      std::function<void(const CallPtr &)> handler, QString operation = {})
    {
        Route r;
        r.method = std::move(method);
        r.pattern = std::move(pattern);
        r.role = role;
        r.audited = audited;
        r.summary = std::move(summary);
        r.operation = std::move(operation);
        r.handler = std::move(handler);
        return r;
    }
};

/** Matches a method and path to a route and its {parameters}. */
class Router
{
public:
    void add(Route route);
    /** The route for `method` and `path` and its parameters. `pathKnown` tells a 405 from a 404. */
    const Route *match(const QByteArray &method, const QString &path,
                       QMap<QString, QString> &params, bool &pathKnown) const;
    const QList<Route> &routes() const { return m_routes; }

private:
    QList<Route> m_routes;
};

} // namespace Portoser
