// SPDX-License-Identifier: Apache-2.0
#include "core/tls/CaddyConfig.h"

#include "core/tls/CertificateAuthority.h"

#include <QFile>
#include <QJsonArray>
#include <QSslCertificate>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

QString CaddyConfig::routeId(const QString &service)
{
    return u"portoser-"_s + service;
}

QString CaddyConfig::upstreamOf(const Registry &registry, const Service &service)
{
    const Host *host = registry.host(service.currentHost);
    const auto port = service.effectivePort();
    if (!host || !port)
        return {};
    return host->address() + u':' + QString::number(*port);
}

QList<const Service *> CaddyConfig::routed(const Registry &registry)
{
    QList<const Service *> out;
    for (const Service &s : registry.services) {
        if (!s.hostname.isEmpty() && s.effectivePort())
            out.append(&s);
    }
    return out;
}

QPair<QString, QString> CaddyConfig::certificateOf(const Registry &registry, const Service &s,
                                                   const QString &certsHome)
{
    const QString issued = !s.tlsCert.isEmpty() && !s.tlsKey.isEmpty()
                               ? QString()
                               : CertificateAuthority(certsHome).serviceDir(registry, s);
    return {!s.tlsCert.isEmpty() ? s.tlsCert : issued + u"/server.crt"_s,
            !s.tlsKey.isEmpty() ? s.tlsKey : issued + u"/server.key"_s};
}

QString CaddyConfig::mismatch(const Service &s, const QString &certificateFile)
{
    const auto certificate = CertificateAuthority::inspect(certificateFile);
    if (!certificate || certificate->covers(s.hostname))
        return {};
    return u"service %1 (route %2): the certificate %3 names %4, but the route serves %5; "
           "Caddy would answer %5 with a TLS error. %6"_s.arg(
               s.name, routeId(s.name), certificateFile,
               certificate->names.isEmpty() ? u"no host at all"_s
                                            : certificate->names.join(u", "_s),
               s.hostname,
               s.tlsCert.isEmpty()
                   ? u"Issue one that names it: `portoser --cli certs issue %1`."_s.arg(s.name)
                   : u"Set tls_cert and tls_key to a certificate that names it."_s);
}

Result<QJsonObject> CaddyConfig::generate(const Registry &registry, const Files &files)
{
    const CaddySettings &caddy = registry.caddy;
    if (!caddy.present || caddy.adminEndpoint.isEmpty())
        return Error{
            ErrorCode::InvalidInput,
            u"%1: the registry has no caddy section with an admin_endpoint"_s.arg(registry.path)};
    QString admin = caddy.adminEndpoint;
    admin.remove(u"http://"_s);
    while (admin.endsWith(u'/'))
        admin.chop(1);

    QJsonArray routes, certificates, policies;
    QStringList mismatches; // every route's, at once
    for (const Service *service : routed(registry)) {
        const Service &s = *service;
        const QString where = u"service %1 (route %2)"_s.arg(s.name, routeId(s.name));
        QJsonObject proxy{
            {u"handler"_s, u"reverse_proxy"_s},
            {u"upstreams"_s, QJsonArray{QJsonObject{{u"dial"_s, upstreamOf(registry, s)}}}}};
        const bool http =
            s.health.type == HealthCheck::Type::Http
            || (s.health.type == HealthCheck::Type::Auto && !s.healthcheckUrl.isEmpty());
        if (http)
            proxy.insert(
                u"health_checks"_s,
                QJsonObject{
                    {u"active"_s,
                     QJsonObject{{u"uri"_s, s.health.path},
                                 {u"interval"_s, u"%1s"_s.arg(s.health.watchIntervalSeconds)},
                                 {u"timeout"_s, u"%1s"_s.arg(s.health.timeoutSeconds)}}}});
        routes.append(
            QJsonObject{{u"@id"_s, routeId(s.name)},
                        {u"match"_s, QJsonArray{QJsonObject{{u"host"_s, QJsonArray{s.hostname}}}}},
                        {u"handle"_s, QJsonArray{proxy}},
                        {u"terminal"_s, true}});
        const auto [cert, key] = certificateOf(registry, s, files.certsHome);
        if (!QFile::exists(cert) || !QFile::exists(key))
            return Error{ErrorCode::NotFound,
                         u"%1: no certificate at %2 (run `portoser --cli certs issue %3`, or set "
                         "tls_cert and tls_key)"_s.arg(where, cert, s.name)};
        if (const QString wrong = mismatch(s, cert); !wrong.isEmpty())
            mismatches.append(wrong);
        const QString onCaddy = files.dirOnCaddy + u'/' + s.name;
        certificates.append(QJsonObject{
            {u"certificate"_s, files.dirOnCaddy.isEmpty() ? cert : onCaddy + u"/server.crt"_s},
            {u"key"_s, files.dirOnCaddy.isEmpty() ? key : onCaddy + u"/server.key"_s},
            {u"tags"_s, QJsonArray{routeId(s.name)}}});
        if (!s.caCert.isEmpty()) {
            const QString caFile =
                s.caCert == u"internal"_s ? files.certsHome + u"/ca/ca.crt"_s : s.caCert;
            const QList<QSslCertificate> cas = QSslCertificate::fromPath(caFile);
            if (cas.isEmpty())
                return Error{ErrorCode::InvalidInput,
                             u"%1: ca_cert %2 holds no PEM certificate"_s.arg(where, caFile)};
            QJsonArray trusted;
            for (const QSslCertificate &ca : cas)
                trusted.append(QString::fromLatin1(ca.toDer().toBase64()));
            policies.append(QJsonObject{
                {u"match"_s, QJsonObject{{u"sni"_s, QJsonArray{s.hostname}}}},
                {u"client_authentication"_s, QJsonObject{{u"trusted_ca_certs"_s, trusted},
                                                         {u"mode"_s, u"require_and_verify"_s}}}});
        }
    }
    if (!mismatches.isEmpty())
        return Error{ErrorCode::InvalidInput,
                     mismatches.join(u'\n') + u"\nNothing was sent to Caddy."_s};
    policies.append(QJsonObject()); // every other name: TLS without client certificates
    QJsonObject server{{u"listen"_s, QJsonArray{u":%1"_s.arg(caddy.httpsPort)}},
                       {u"routes"_s, routes},
                       {u"tls_connection_policies"_s, policies},
                       {u"automatic_https"_s, QJsonObject{{u"disable_redirects"_s, true}}}};
    // Our own redirect: Caddy's automatic one drops a non-default https_port.
    const QString https = caddy.httpsPort == 443 ? QString() : u":%1"_s.arg(caddy.httpsPort);
    QJsonObject redirect{
        {u"listen"_s, QJsonArray{u":%1"_s.arg(caddy.httpPort)}},
        {u"routes"_s,
         QJsonArray{QJsonObject{
             {u"handle"_s,
              QJsonArray{QJsonObject{
                  {u"handler"_s, u"static_response"_s},
                  {u"status_code"_s, 308},
                  {u"headers"_s,
                   QJsonObject{{u"Location"_s,
                                QJsonArray{u"https://{http.request.host}%1{http.request.uri}"_s.arg(
                                    https)}}}}}}}}}}};
    return QJsonObject{
        {u"admin"_s, QJsonObject{{u"listen"_s, admin}}},
        {u"apps"_s,
         QJsonObject{{u"http"_s,
                      QJsonObject{{u"http_port"_s, caddy.httpPort},
                                  {u"https_port"_s, caddy.httpsPort},
                                  {u"servers"_s, QJsonObject{{u"portoser"_s, server},
                                                             {u"portoser-redirect"_s, redirect}}}}},
                     {u"tls"_s, QJsonObject{{u"certificates"_s,
                                             QJsonObject{{u"load_files"_s, certificates}}}}}}}};
}

} // namespace Portoser
