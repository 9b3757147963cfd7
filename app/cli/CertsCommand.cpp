// SPDX-License-Identifier: Apache-2.0
#include "app/cli/CertsCommand.h"

#include "app/cli/TextTable.h"
#include "core/tls/CaddyConfig.h"
#include "core/tls/CertificateAuthority.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <optional>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {

const QCommandLineOption RsaOption(u"rsa"_s,
                                   u"init-ca, issue: an RSA key of BITS (3072 or 4096) "
                                   "instead of EC P-256."_s,
                                   u"BITS"_s);
const QCommandLineOption DaysOption(u"days"_s,
                                    u"init-ca, issue: validity in days (CA 3650, server 397); "
                                    "check: the warning horizon (30)."_s,
                                    u"N"_s);
const QCommandLineOption ClientOption(u"client"_s,
                                      u"issue: a client certificate (clientAuth) for mTLS."_s);
const QCommandLineOption ForceOption(u"force"_s, u"init-ca: replace an existing CA."_s);
const QCommandLineOption NameOption(u"name"_s, u"init-ca: the CA's common name."_s, u"CN"_s);
const QCommandLineOption YesOption(u"yes"_s,
                                   u"trust: you agree that every program on those hosts will "
                                   "trust what the internal CA signs."_s);
const QCommandLineOption AllOption(u"all"_s, u"trust: every host of the registry."_s);
const QCommandLineOption KeyInSecretsOption(
    u"key-in-secrets"_s,
    u"init-ca: keep the CA key in the secrets store (portoser/ca#key of the configured "
    "backend, encrypted there) instead of ca.key; it is fetched only to sign."_s);

QJsonObject toJson(const CertificateInfo &c)
{
    return {{u"file"_s, c.file},
            {u"registry"_s, c.registryId},
            {u"service"_s, c.service},
            {u"legacy"_s, c.isLegacy()},
            {u"subject"_s, c.subject},
            {u"issuer"_s, c.issuer},
            {u"names"_s, QJsonArray::fromStringList(c.names)},
            {u"usages"_s, QJsonArray::fromStringList(c.usages)},
            {u"ca"_s, c.isCa},
            {u"not_before"_s, c.notBefore.toString(Qt::ISODate)},
            {u"not_after"_s, c.notAfter.toString(Qt::ISODate)},
            {u"days_left"_s, c.daysLeft()},
            {u"serial"_s, c.serial}};
}

} // namespace

CommandSpec CertsCommand::spec() const
{
    return {u"certs"_s,
            u"init-ca [--rsa BITS] [--days N] [--name CN] [--force] | issue SERVICE [--client] "
            "[--rsa BITS] [--days N] | install SERVICE | trust HOST…|--all --yes | list | check "
            "[--days N] "
            "| renew [--days N]"_s,
            u"The internal CA (~/.portoser/ca) and the service certificates it issues."_s,
            u"init-ca makes the CA key (0600) and its self-signed certificate; it refuses to "
            "replace an existing CA without --force; --key-in-secrets keeps the key in the "
            "secrets store instead of a file.\n"
            "issue SERVICE writes ~/.portoser/certs/REGISTRY/SERVICE/server.crt and server.key (or "
            "client.crt/.key with --client, for mTLS) and ca.crt, where REGISTRY is the "
            "registry's domain, else registry-<hash of its file's path>; a server certificate "
            "names the service's hostname, its name, its host's name and address. One in the old "
            "layout (~/.portoser/certs/SERVICE/) is still used while the registry has none of its "
            "own for the service and it names all of that.\n"
            "install SERVICE copies them and the CA to <host path>/.portoser/SERVICE/tls/ on the "
            "service's host over SSH (keys 0600, owned by the SSH user).\n"
            "trust HOST… adds the CA to those hosts' system trust store (update-ca-certificates, "
            "update-ca-trust, or the macOS System keychain; as root or with passwordless sudo), so "
            "every program there trusts the certificates it signs: only with --yes, your consent.\n"
            "list shows every certificate with its registry and, for the registry's routes, "
            "whether it names the route's hostname (ROUTE: ok, mismatch; an old-layout one: used "
            "or ignored). check, on the CA, the registry's certificates and the old-layout ones, "
            "exits 1 when any expires within --days (default 30) or a route's certificate does not "
            "name its hostname; renew re-issues the expiring ones (same names, usage, key type and "
            "lifetime), installs each on its service's host again and has Caddy reload them."_s,
            {RsaOption, DaysOption, ClientOption, ForceOption, NameOption, YesOption, AllOption,
             KeyInSecretsOption}};
}

int CertsCommand::run(CliContext &context, const QCommandLineParser &args)
{
    QStringList words = args.positionalArguments();
    const QString action = words.isEmpty() ? QString() : words.takeFirst();
    CertificateAuthority ca = context.orchestrator().certificateAuthority();
    auto failed = [&context](const Error &e) {
        context.printError(e.message);
        return Failed;
    };
    KeyType keyType = KeyType::EcP256;
    if (args.isSet(RsaOption)) {
        const QString bits = args.value(RsaOption);
        if (bits != u"3072" && bits != u"4096")
            return context.usageError(u"--rsa takes 3072 or 4096"_s);
        keyType = bits == u"3072" ? KeyType::Rsa3072 : KeyType::Rsa4096;
    }
    bool daysOk = true;
    const int days = args.isSet(DaysOption) ? args.value(DaysOption).toInt(&daysOk) : 0;
    if (!daysOk || days < 0)
        return context.usageError(u"--days takes a number of days"_s);
    const auto show = [&context](const CertificateInfo &c) {
        if (context.json())
            context.printJson(toJson(c));
        else
            context.out() << c.file << ": " << c.subject << (c.isCa ? " (CA)" : "")
                          << (c.names.isEmpty() ? QString() : u", "_s + c.names.join(u", "_s))
                          << ", valid until " << c.notAfter.toString(Qt::ISODate) << '\n';
    };

    if (action == u"init-ca" && words.isEmpty()) {
        auto made =
            ca.init(args.isSet(NameOption) ? args.value(NameOption) : u"Portoser internal CA"_s,
                    keyType, days ? days : 3650, args.isSet(ForceOption));
        if (!made)
            return failed(made.error());
        if (args.isSet(KeyInSecretsOption)) {
            auto moved = context.orchestrator().keepCaKeyInSecrets();
            if (!moved)
                return failed(moved.error());
            if (!context.json())
                context.out() << "the CA key is kept in the secrets store as " << *moved
                              << " (no ca.key on disk)\n";
        }
        show(*made);
        return Ok;
    }
    if (action == u"issue" && words.size() == 1) {
        const auto registry = context.validRegistry();
        if (!registry)
            return Failed;
        if (!registry->service(words.at(0)))
            return context.usageError(registry->unknownService(words.at(0)));
        auto issued = context.orchestrator().issueCertificate(
            *registry, words.at(0), args.isSet(ClientOption), keyType, days);
        if (!issued)
            return failed(issued.error());
        show(*issued);
        return Ok;
    }
    if (action == u"install" && words.size() == 1) {
        const auto registry = context.validRegistry();
        if (!registry)
            return Failed;
        auto installed = context.orchestrator().installCertificates(*registry, words.at(0));
        if (!installed)
            return failed(installed.error());
        if (context.json())
            context.printJson(QJsonArray::fromStringList(*installed));
        else
            for (const QString &path : std::as_const(*installed))
                context.out() << registry->service(words.at(0))->currentHost << ':' << path << '\n';
        return Ok;
    }
    if (action == u"trust" && (!words.isEmpty() || args.isSet(AllOption))) {
        const auto registry = context.validRegistry();
        if (!registry)
            return Failed;
        const QStringList hosts = args.isSet(AllOption) ? registry->hosts.keys() : words;
        for (const QString &h : hosts) {
            if (!registry->host(h))
                return context.usageError(u"no host %1 in %2"_s.arg(h, registry->path));
        }
        if (!args.isSet(YesOption)) {
            context.printError(
                u"this adds the internal CA (%1) to the system trust store of %2: every program "
                "there will then trust any certificate it signs. Run again with --yes to agree."_s
                    .arg(ca.caCertFile(), hosts.join(u", "_s)));
            return UsageError;
        }
        QJsonArray done;
        bool allOk = true;
        for (const QString &h : hosts) {
            auto trusted = context.orchestrator().trustCertificateAuthority(*registry, h);
            allOk = allOk && trusted;
            done.append(QJsonObject{
                {u"host"_s, h},
                {u"ok"_s, bool(trusted)},
                {trusted ? u"where"_s : u"error"_s, trusted ? *trusted : trusted.error().message}});
            if (!context.json())
                context.out() << h << ": "
                              << (trusted ? u"trusted in "_s + *trusted
                                          : u"failed: "_s + trusted.error().message)
                              << '\n';
        }
        if (context.json())
            context.printJson(done);
        return allOk ? Ok : Failed;
    }
    if (action == u"renew" && words.isEmpty()) {
        const auto registry = context.validRegistry();
        if (!registry)
            return Failed;
        auto renewed = context.orchestrator().renewCertificates(*registry, days ? days : 30);
        if (!renewed)
            return failed(renewed.error());
        QJsonArray items;
        bool allOk = true;
        for (const Orchestrator::Renewal &r : std::as_const(*renewed)) {
            allOk = allOk && r.error.isEmpty();
            QJsonObject o = toJson(r.certificate);
            o.insert(u"installed_on"_s, r.installedOn);
            o.insert(u"error"_s, r.error.isEmpty() ? QJsonValue() : QJsonValue(r.error));
            items.append(o);
            if (!context.json())
                context.out() << r.certificate.file << ": "
                              << (r.error.isEmpty() ? u"renewed until %1%2"_s.arg(
                                      r.certificate.notAfter.toString(Qt::ISODate),
                                      r.installedOn.isEmpty()
                                          ? QString()
                                          : u", installed on "_s + r.installedOn)
                                                    : r.error)
                              << '\n';
        }
        if (context.json())
            context.printJson(items);
        else if (renewed->isEmpty())
            context.out() << "nothing expires within " << (days ? days : 30) << " days\n";
        return allOk ? Ok : Failed;
    }
    if ((action == u"list" || action == u"check") && words.isEmpty()) {
        auto all = ca.list();
        if (!all)
            return failed(all.error());
        // With a valid registry: which certificates are its own, and whether each of its
        // routes' names the hostname the route serves (`proxy apply` refuses one that does not).
        CheckedRegistry checked = context.orchestrator().checkRegistry(context.registryPath());
        const std::optional<Registry> registry =
            checked.isValid() ? std::optional<Registry>(std::move(checked.registry)) : std::nullopt;
        const QString registryId =
            registry ? CertificateAuthority::registryId(*registry) : QString();
        // (route state, why it must not be served)
        const auto routeUse = [&](const CertificateInfo &c) -> std::pair<QString, QString> {
            const Service *s = registry && !c.isCa ? registry->service(c.service) : nullptr;
            if (!s || s->hostname.isEmpty() || !s->effectivePort() || !s->tlsCert.isEmpty()
                || !c.usages.contains(u"serverAuth"_s))
                return {};
            if (c.isLegacy()) {
                const bool used = QFileInfo(ca.serviceDir(*registry, *s)).absoluteFilePath()
                                  == QFileInfo(c.file).absolutePath();
                return {used ? u"legacy-used"_s : u"legacy-ignored"_s, {}};
            }
            if (c.registryId != registryId)
                return {};
            const QString wrong = CaddyConfig::mismatch(*s, c.file);
            return {wrong.isEmpty() ? u"ok"_s : u"mismatch"_s, wrong};
        };
        const int horizon = days ? days : 30;
        QJsonArray items;
        TextTable table({u"SUBJECT"_s, u"KIND"_s, u"REGISTRY"_s, u"EXPIRES"_s, u"DAYS"_s,
                         u"ROUTE"_s, u"FILE"_s});
        int expiring = 0;
        QStringList mismatches;
        int shown = 0;
        for (const CertificateInfo &c : std::as_const(*all)) {
            // check: what this registry's `certs renew` renews; list: everything.
            const bool ours = c.isCa || c.isLegacy() || !registry || c.registryId == registryId;
            if (action == u"check" && !ours)
                continue;
            ++shown;
            const bool soon = c.daysLeft() < horizon;
            expiring += soon ? 1 : 0;
            const auto [route, mismatch] = routeUse(c);
            if (!mismatch.isEmpty())
                mismatches.append(mismatch);
            QJsonObject o = toJson(c);
            o.insert(u"expires_soon"_s, soon);
            if (!route.isEmpty())
                o.insert(u"route"_s, route);
            if (!mismatch.isEmpty())
                o.insert(u"mismatch"_s, mismatch);
            items.append(o);
            table.addRow({c.subject, c.isCa ? u"CA"_s : c.usages.join(u","_s),
                          c.isCa         ? u"-"_s
                          : c.isLegacy() ? u"(old layout)"_s
                                         : c.registryId,
                          c.notAfter.toString(Qt::ISODate),
                          QString::number(c.daysLeft()) + (soon ? u" !"_s : QString()),
                          route.isEmpty() ? u"-"_s : route, c.file});
        }
        if (context.json())
            context.printJson(items);
        else if (shown == 0)
            context.out() << "no CA yet: portoser --cli certs init-ca\n";
        else
            table.print(context.out());
        if (!context.json()) {
            for (const QString &m : std::as_const(mismatches))
                context.err() << "portoser: " << m << '\n';
        }
        if (action == u"check" && (expiring > 0 || !mismatches.isEmpty())) {
            if (!context.json() && expiring > 0)
                context.err() << "portoser: " << expiring << " certificate(s) expire within "
                              << horizon << " days\n";
            return Failed;
        }
        return Ok;
    }
    return context.usageError(
        u"say what to do: init-ca, issue SERVICE, install SERVICE, trust HOST…, list, check or "
        "renew"_s);
}

} // namespace Portoser::Cli
