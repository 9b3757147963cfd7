// SPDX-License-Identifier: Apache-2.0
#include "app/ServeRunner.h"

#include "app/ServeConfig.h"
#include "app/SignalWatcher.h"
#include "app/cli/ExitCode.h"
#include "core/registry/RegistryLocator.h"
#include "core/runtime/Coordinator.h"
#include "core/runtime/HealLoop.h"
#include "core/runtime/LocalEndpoint.h"
#include "server/ApiServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

/** "127.0.0.1:8420", "[::1]:8420", ":8420" (loopback), "0.0.0.0:8420". */
std::optional<std::pair<QHostAddress, quint16>> parseListen(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon < 0)
        return std::nullopt;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    const QHostAddress address = host.isEmpty()         ? QHostAddress(QHostAddress::LocalHost)
                                 : host == u"localhost" ? QHostAddress(QHostAddress::LocalHost)
                                                        : QHostAddress(host);
    if (address.isNull())
        return std::nullopt;
    return std::pair{address, quint16(port)};
}

} // namespace

int ServeRunner::run(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    const QCommandLineOption listen(u"listen"_s, u"Address and port to listen on."_s,
                                    u"ADDR:PORT"_s, u"127.0.0.1:8420"_s);
    const QCommandLineOption registry(u"registry"_s, u"Registry file."_s, u"PATH"_s);
    const QCommandLineOption db(u"db"_s, u"History database."_s, u"PATH"_s);
    const QCommandLineOption noHeal(u"no-heal"_s, u"Do not run the self-heal watchdog."_s);
    const QCommandLineOption tlsCert(u"tls-cert"_s, u"PEM certificate for HTTPS."_s, u"FILE"_s);
    const QCommandLineOption tlsKey(u"tls-key"_s, u"PEM key for HTTPS."_s, u"FILE"_s);
    const QCommandLineOption origin(u"allow-origin"_s, u"An extra Origin allowed on /mcp."_s,
                                    u"ORIGIN"_s);
    const QCommandLineOption rate(u"rate-limit"_s, u"Requests per second per client."_s, u"N"_s,
                                  u"2000"_s);
    const QCommandLineOption oidcIssuer(u"oidc-issuer"_s, u"OIDC issuer URL."_s, u"URL"_s);
    const QCommandLineOption oidcAudience(u"oidc-audience"_s, u"Required aud."_s, u"AUD"_s);
    const QCommandLineOption oidcClient(u"oidc-client"_s, u"Required azp."_s, u"CLIENT"_s);
    const QCommandLineOption oidcDesktop(u"oidc-desktop-client"_s,
                                         u"Public client the desktop window signs in with."_s,
                                         u"CLIENT"_s);
    const QCommandLineOption oidcClaim(u"oidc-roles-claim"_s, u"Claim with groups."_s, u"PATH"_s,
                                       u"groups"_s);
    const QCommandLineOption oidcViewer(u"oidc-viewer"_s, u"Group granting viewer."_s, u"GROUP"_s);
    const QCommandLineOption oidcOperator(u"oidc-operator"_s, u"Group granting operator."_s,
                                          u"GROUP"_s);
    const QCommandLineOption oidcAdmin(u"oidc-admin"_s, u"Group granting admin."_s, u"GROUP"_s);
    const QCommandLineOption idle(u"idle-timeout"_s, u"Seconds before an idle connection closes."_s,
                                  u"SECONDS"_s, u"60"_s);
    const QCommandLineOption config(u"config"_s, u"Settings file."_s, u"FILE"_s);
    const QCommandLineOption help(QStringList{u"h"_s, u"help"_s}, u"Show this help."_s);
    parser.addOptions({listen, registry, db, noHeal, tlsCert, tlsKey, origin, rate, oidcIssuer,
                       oidcAudience, oidcClient, oidcDesktop, oidcClaim, oidcViewer, oidcOperator,
                       oidcAdmin, idle, config, help});
    if (!parser.parse(QStringList{u"portoser"_s} + args)) {
        err << "portoser --serve: " << parser.errorText() << '\n';
        return Cli::UsageError;
    }
    // The settings file goes first, so the command line wins over it.
    const QString configPath =
        parser.isSet(config) ? parser.value(config) : ServeConfig::defaultPath();
    if (!configPath.isEmpty() && !parser.isSet(help)) {
        QStringList valueOptions;
        for (const auto *o : {&listen, &registry, &db, &tlsCert, &tlsKey, &origin, &rate, &idle,
                              &oidcIssuer, &oidcAudience, &oidcClient, &oidcDesktop, &oidcClaim,
                              &oidcViewer, &oidcOperator, &oidcAdmin})
            valueOptions.append(o->names().first());
        const auto fromFile = ServeConfig::toArguments(configPath, valueOptions, {u"no-heal"_s});
        if (!fromFile) {
            err << "portoser --serve: " << fromFile.error().message << '\n';
            return Cli::UsageError;
        }
        if (!parser.parse(QStringList{u"portoser"_s} + *fromFile + args)) {
            err << "portoser --serve: " << configPath << ": " << parser.errorText() << '\n';
            return Cli::UsageError;
        }
    }
    if (parser.isSet(help)) {
        out << "Usage: portoser --serve [--listen ADDR:PORT] [--registry PATH] [--db PATH] "
               "[--no-heal]\n\n"
               "Runs the headless coordinator: the self-heal watchdog, the HTTP API under "
               "/api/v1,\n"
               "server-sent events, and the MCP endpoint at /mcp.\n"
               "  --listen ADDR:PORT   where to listen (default 127.0.0.1:8420); an address that\n"
               "                       is not loopback needs a token or OIDC issuer configured\n"
               "  --registry PATH      registry file\n"
               "  --db PATH            history database (default: $PORTOSER_DB or "
               "~/.portoser/portoser.db)\n"
               "  --no-heal            do not heal (services are still observed for status)\n"
               "  --tls-cert FILE, --tls-key FILE   serve HTTPS\n"
               "  --allow-origin ORIGIN             a browser Origin allowed on /mcp (repeatable)\n"
               "  --rate-limit N       requests per second per client (default 2000)\n"
               "  --idle-timeout S     close connections idle this long (default 60; not streams)\n"
               "OIDC bearer tokens (Keycloak, Dex, ...):\n"
               "  --oidc-issuer URL    the issuer (its discovery document and keys are read)\n"
               "  --oidc-audience AUD  required in `aud`; or --oidc-client CLIENT: required `azp`\n"
               "                       (Keycloak leaves `aud` out unless an audience mapper adds "
               "it)\n"
               "  --oidc-desktop-client CLIENT   the public client (PKCE) the desktop window\n"
               "                       signs in with (default: --oidc-client)\n"
               "  --oidc-roles-claim PATH   where the groups are (default groups; Keycloak realm\n"
               "                       roles: realm_access.roles)\n"
               "  --oidc-viewer|--oidc-operator|--oidc-admin GROUP   which group grants which "
               "role\n"
               "  --config FILE        settings file: `option = value` lines (default\n"
               "                       ~/.config/portoser/serve.conf, else "
               "/etc/portoser/serve.conf)\n"
               "Tokens: portoser --cli token create --role viewer|operator|admin --name NAME\n"
               "SIGHUP re-reads the registry; SIGTERM lets a running job finish, then exits.\n";
        return Cli::Ok;
    }
    const auto where = parseListen(parser.value(listen));
    if (!where) {
        err << "portoser --serve: --listen " << parser.value(listen)
            << ": expected ADDR:PORT, e.g. 127.0.0.1:8420\n";
        return Cli::UsageError;
    }
    if (parser.isSet(tlsCert) != parser.isSet(tlsKey)) {
        err << "portoser --serve: --tls-cert and --tls-key go together\n";
        return Cli::UsageError;
    }

    bool rateOk = false, idleOk = false;
    const double perSecond = parser.value(rate).toDouble(&rateOk);
    const int idleSeconds = parser.value(idle).toInt(&idleOk);
    if (!rateOk || perSecond <= 0) {
        err << "portoser --serve: --rate-limit " << parser.value(rate)
            << ": expected requests per second per client, more than 0 (default 2000)\n";
        return Cli::UsageError;
    }
    if (!idleOk || idleSeconds < 1) {
        err << "portoser --serve: --idle-timeout " << parser.value(idle)
            << ": expected seconds, at least 1 (default 60)\n";
        return Cli::UsageError;
    }

    OrchestratorSettings settings;
    settings.databasePath = parser.value(db);
    const QString path = RegistryLocator::fromProcess(parser.value(registry)).resolve();
    Coordinator coordinator(path, settings);
    if (auto loaded = coordinator.reload(); !loaded) {
        err << loaded.error().message << '\n' << "portoser --serve: not starting\n";
        return Cli::Failed;
    }

    ApiSettings api;
    api.address = where->first;
    api.port = where->second;
    api.tlsCertificate = parser.value(tlsCert);
    api.tlsKey = parser.value(tlsKey);
    api.allowedOrigins = parser.values(origin);
    api.ratePerSecond = perSecond;
    api.rateBurst = api.ratePerSecond * 2;
    api.idleTimeoutSeconds = idleSeconds;
    api.localSocket = LocalEndpoint::socketPath(path);
    api.oidc.issuer = parser.value(oidcIssuer);
    api.oidc.audience = parser.value(oidcAudience);
    api.oidc.authorizedParty = parser.value(oidcClient);
    api.oidc.desktopClient = parser.value(oidcDesktop);
    api.oidc.rolesClaim = parser.value(oidcClaim);
    const std::pair<Role, const QCommandLineOption *> grants[] = {
        {Role::Viewer, &oidcViewer}, {Role::Operator, &oidcOperator}, {Role::Admin, &oidcAdmin}};
    for (const auto &[role, option] : grants) {
        if (parser.isSet(*option))
            api.oidc.roleGroups.insert(role, parser.values(*option));
    }
    ApiServer server(coordinator, api);
    const auto port = server.start();
    if (!port) {
        err << "portoser --serve: " << port.error().message << '\n';
        return Cli::Failed;
    }
    const QString scheme = api.tlsCertificate.isEmpty() ? u"http"_s : u"https"_s;
    QString host = api.address.toString();
    if (api.address.protocol() == QAbstractSocket::IPv6Protocol)
        host = u'[' + host + u']';
    out << "portoser --serve: coordinator up for " << path << " ("
        << coordinator.registry().hosts.size() << " hosts, "
        << coordinator.registry().services.size() << " services)\n"
        << "portoser --serve: listening on " << scheme << "://" << host << ':' << *port
        << " (API /api/v1, MCP /mcp)\n";
    if (server.isOpen())
        out << "portoser --serve: WARNING: no API token exists, so this loopback API lets every "
               "local user deploy, restart and read (no secrets, tokens or tools); create one "
               "with `portoser --cli token create --role admin --name NAME`\n";
    out.flush();

    // The watchdog: heals (or with --no-heal only observes) and feeds status and events.
    HealLoop watchdog(settings, coordinator.registry());
    watchdog.setObserveOnly(parser.isSet(noHeal));
    server.setWatchdog(&watchdog);
    QObject::connect(&coordinator, &Coordinator::registryChanged, &watchdog,
                     [&] { watchdog.setRegistry(coordinator.registry()); });
    QObject::connect(&watchdog, &HealLoop::event, &watchdog, [&out](const HealEvent &e) {
        out << "heal: " << toText(e) << '\n';
        out.flush();
    });
    QObject::connect(&watchdog, &HealLoop::leadershipChanged, &watchdog, [&out](bool leads) {
        out << (leads ? "heal: this coordinator leads the healer\n"
                      : "heal: another coordinator on this database leads the healer; observing "
                        "only\n");
        out.flush();
    });
    watchdog.start();
    out << "portoser --serve: self-heal watchdog "
        << (parser.isSet(noHeal) ? "observing only (--no-heal)" : "running") << '\n';
    out.flush();

    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::reloadRequested, &coordinator, [&] {
        const auto reloaded = coordinator.reload();
        out << "portoser --serve: registry "
            << (reloaded ? u"reloaded"_s : u"NOT reloaded: "_s + reloaded.error().message) << '\n';
        out.flush();
    });
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, qApp, [&](int) {
        out << "portoser --serve: stopping";
        if (const int running = coordinator.jobs().running())
            out << " after the running job (" << running << " queued or running)";
        out << '\n';
        out.flush();
        // Requests being answered get their answers; new connections are no longer taken.
        server.drain(30000, [] { QCoreApplication::exit(Cli::Ok); });
    });
    return QCoreApplication::exec();
}

} // namespace Portoser
