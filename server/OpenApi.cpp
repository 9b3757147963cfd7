// SPDX-License-Identifier: Apache-2.0
#include "server/OpenApi.h"

#include "core/runtime/Operations.h"
#include "server/Router.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace Portoser::OpenApi {

using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject error(const QString &description)
{
    return {
        {u"description"_s, description},
        {u"content"_s,
         QJsonObject{{u"application/json"_s,
                      QJsonObject{{u"schema"_s,
                                   QJsonObject{{u"$ref"_s, u"#/components/schemas/Error"_s}}}}}}}};
}

QJsonObject describeRoute(const Route &r)
{
    const QString id = QString::fromLatin1(r.method).toLower()
                       + QString(r.pattern).replace(QRegularExpression(u"[^A-Za-z0-9]+"_s), u"_"_s);
    QJsonObject op{{u"summary"_s, r.summary},
                   {u"operationId"_s, id},
                   {u"x-portoser-role"_s, r.open ? u"none"_s : toString(r.role)}};
    if (r.open)
        op.insert(u"security"_s, QJsonArray());
    QJsonArray parameters;
    static const QRegularExpression placeholder(u"\\{([a-z]+)\\}"_s);
    for (auto it = placeholder.globalMatch(r.pattern); it.hasNext();) {
        const QString name = it.next().captured(1);
        parameters.append(QJsonObject{{u"name"_s, name},
                                      {u"in"_s, u"path"_s},
                                      {u"required"_s, true},
                                      {u"schema"_s, QJsonObject{{u"type"_s, u"string"_s}}}});
    }
    if (!parameters.isEmpty())
        op.insert(u"parameters"_s, parameters);
    const Operation *operation = r.operation.isEmpty() ? nullptr : Operations::find(r.operation);
    if (operation) {
        op.insert(u"description"_s, operation->description);
        if (r.method == "POST")
            op.insert(
                u"requestBody"_s,
                QJsonObject{{u"content"_s,
                             QJsonObject{{u"application/json"_s,
                                          QJsonObject{{u"schema"_s, operation->inputSchema}}}}}});
    }
    QJsonObject responses;
    if (operation && operation->job)
        responses.insert(u"202"_s,
                         QJsonObject{{u"description"_s, u"Job started: see status_url"_s}});
    else
        responses.insert(u"200"_s, QJsonObject{{u"description"_s, u"OK"_s}});
    responses.insert(u"400"_s, error(u"Bad input"_s));
    if (!r.open) {
        responses.insert(u"401"_s, error(u"No or invalid credential"_s));
        responses.insert(u"403"_s, error(u"Role too low"_s));
    }
    responses.insert(u"429"_s, error(u"Rate limited"_s));
    op.insert(u"responses"_s, responses);
    return op;
}

} // namespace

QJsonObject describe(const Router &router)
{
    QJsonObject paths;
    for (const Route &r : router.routes()) {
        QJsonObject item = paths.value(r.pattern).toObject();
        item.insert(QString::fromLatin1(r.method).toLower(), describeRoute(r));
        paths.insert(r.pattern, item);
    }
    const QJsonObject text{{u"type"_s, u"string"_s}};
    const QJsonObject errorBody{
        {u"type"_s, u"object"_s},
        {u"required"_s, QJsonArray{u"code"_s, u"message"_s}},
        {u"properties"_s, QJsonObject{{u"code"_s, text}, {u"message"_s, text}}}};
    const QJsonObject errorSchema{{u"type"_s, u"object"_s},
                                  {u"required"_s, QJsonArray{u"error"_s}},
                                  {u"properties"_s, QJsonObject{{u"error"_s, errorBody}}}};
    return {{u"openapi"_s, u"3.0.3"_s},
            {u"info"_s, QJsonObject{{u"title"_s, u"Portoser coordinator API"_s},
                                    {u"version"_s, QStringLiteral(PORTOSER_VERSION)}}},
            {u"paths"_s, paths},
            {u"components"_s,
             QJsonObject{{u"schemas"_s, QJsonObject{{u"Error"_s, errorSchema}}},
                         {u"securitySchemes"_s,
                          QJsonObject{{u"bearer"_s, QJsonObject{{u"type"_s, u"http"_s},
                                                                {u"scheme"_s, u"bearer"_s}}}}}}},
            {u"security"_s, QJsonArray{QJsonObject{{u"bearer"_s, QJsonArray()}}}}};
}

} // namespace Portoser::OpenApi
