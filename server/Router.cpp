// SPDX-License-Identifier: Apache-2.0
#include "server/Router.h"

#include "server/ApiError.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

void ApiCall::reply(const QJsonValue &body, int status)
{
    HttpResponse r;
    r.status = status;
    r.body = body.isArray() ? QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact)
                            : QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    finish(r);
}

void ApiCall::fail(const Error &error)
{
    finish(ApiError::response(error));
}

void ApiCall::fail(int status, const QString &code, const QString &message)
{
    finish(ApiError::response(status, code, message));
}

void ApiCall::failBusy(bool callersShare, const QString &message)
{
    HttpResponse r = ApiError::response(callersShare ? 429 : 503,
                                        callersShare ? u"too_many_requests"_s : u"busy"_s, message);
    r.headers.emplaceBack("Retry-After", "1");
    finish(r);
}

Result<QJsonObject> ApiCall::jsonBody() const
{
    if (request.body.trimmed().isEmpty())
        return QJsonObject();
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
    if (error.error != QJsonParseError::NoError)
        return Error{ErrorCode::ParseError,
                     u"request body: invalid JSON at offset %1: %2"_s.arg(error.offset)
                         .arg(error.errorString())};
    if (!doc.isObject())
        return Error{ErrorCode::InvalidInput, u"request body: expected a JSON object"_s};
    return doc.object();
}

QString ApiCall::query(const QString &name, const QString &fallback) const
{
    return request.query.hasQueryItem(name) ? request.query.queryItemValue(name, QUrl::FullyDecoded)
                                            : fallback;
}

void Router::add(Route route)
{
    m_routes.append(std::move(route));
}

static bool matchPattern(const QString &pattern, const QString &path,
                         QMap<QString, QString> &params)
{
    const QStringList want = pattern.split(u'/');
    const QStringList have = path.split(u'/');
    if (want.size() != have.size())
        return false;
    QMap<QString, QString> found;
    for (qsizetype i = 0; i < want.size(); ++i) {
        const QString &w = want.at(i);
        if (w.startsWith(u'{') && w.endsWith(u'}')) {
            if (have.at(i).isEmpty())
                return false;
            found.insert(w.mid(1, w.size() - 2), have.at(i));
        } else if (w != have.at(i)) {
            return false;
        }
    }
    params = found;
    return true;
}

const Route *Router::match(const QByteArray &method, const QString &path,
                           QMap<QString, QString> &params, bool &pathKnown) const
{
    pathKnown = false;
    for (const Route &r : m_routes) {
        QMap<QString, QString> p;
        if (!matchPattern(r.pattern, path, p))
            continue;
        pathKnown = true;
        // HEAD is GET without the body (the connection leaves the body out).
        if (r.method == method || (method == "HEAD" && r.method == "GET")) {
            params = p;
            return &r;
        }
    }
    return nullptr;
}

} // namespace Portoser
