// SPDX-License-Identifier: Apache-2.0
#include "app/cli/ProxyCommand.h"

#include "app/cli/TextTable.h"

#include <QJsonArray>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

CommandSpec ProxyCommand::spec() const
{
    return {
        u"proxy"_s,
        u"plan | apply | status"_s,
        u"The Caddy ingress: its JSON config from the registry, through Caddy's admin API."_s,
        u"plan shows the difference between what the registry asks for and what Caddy runs "
        "now; apply loads it (Caddy validates first and keeps its old config when it refuses; "
        "If-Match on the config read so a concurrent change is not overwritten); status "
        "lists each service's public URL and the state of its route: ok (it sends traffic to "
        "where the service runs, and a request through Caddy to its hostname was answered), "
        "stale (it points elsewhere), missing, down (Caddy answers 502, 503 or 504, or nothing "
        "within 5 s: DETAIL says why), unchecked (it takes only client certificates this "
        "coordinator has none for); exit 1 unless every route is ok or unchecked. The "
        "registry's caddy section names ingress_host (where Caddy runs; certificates are placed "
        "there over SSH when it is another machine), admin_endpoint, http_port and https_port. "
        "Certificates are the service's tls_cert/tls_key, else the internal CA's, kept per "
        "registry (~/.portoser/certs/<domain or registry id>/<service>/): apply issues those a "
        "route lacks (making the CA on first use), and refuses, before Caddy is contacted, a "
        "certificate that does not name its route's hostname. A service's ca_cert (a PEM file, "
        "or `internal` for the internal CA) makes its route require client certificates "
        "(mTLS)."_s,
        {}};
}

int ProxyCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const QStringList words = args.positionalArguments();
    const QString action = words.value(0);
    if (words.size() != 1 || (action != u"plan" && action != u"apply" && action != u"status"))
        return context.usageError(u"say plan, apply or status"_s);
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    Orchestrator &o = context.orchestrator();
    if (action == u"status") {
        auto status = o.proxyStatus(*registry);
        if (!status) {
            context.printError(status.error().message);
            return Failed;
        }
        if (context.json()) {
            QJsonArray items;
            for (const Orchestrator::RouteStatus &r : std::as_const(*status))
                items.append(r.toJson());
            context.printJson(items);
        } else {
            TextTable table({u"SERVICE"_s, u"URL"_s, u"ROUTE"_s, u"UPSTREAM"_s, u"DETAIL"_s});
            for (const Orchestrator::RouteStatus &r : std::as_const(*status))
                table.addRow({r.service, r.url, r.state, r.upstream, r.detail});
            table.print(context.out());
        }
        // `unchecked` is not known to be wrong: its detail says what would let status ask.
        const bool allOk = std::all_of(status->cbegin(), status->cend(), [](const auto &r) {
            return r.state == u"ok" || r.state == u"unchecked";
        });
        return allOk ? Ok : Failed;
    }
    auto plan = action == u"apply" ? o.proxyApply(*registry) : o.proxyPlan(*registry);
    if (!plan) {
        context.printError(plan.error().message);
        return Failed;
    }
    if (context.json()) {
        context.printJson(QJsonObject{{u"changes"_s, QJsonArray::fromStringList(plan->diff)},
                                      {u"applied"_s, action == u"apply" && !plan->diff.isEmpty()},
                                      {u"issued"_s, QJsonArray::fromStringList(plan->issued)},
                                      {u"created_ca"_s, plan->createdCa}});
        return Ok;
    }
    if (!plan->createdCa.isEmpty())
        context.out() << "made the internal CA: " << plan->createdCa
                      << " (clients trust it with --cacert; hosts with `certs trust HOST --yes`)\n";
    for (const QString &service : std::as_const(plan->issued))
        context.out() << "issued a certificate for " << service << " from the internal CA\n";
    if (plan->diff.isEmpty()) {
        context.out() << "Caddy runs what the registry says; nothing to change\n";
    } else {
        for (const QString &line : std::as_const(plan->diff))
            context.out() << line << '\n';
        context.out() << (action == u"apply" ? "applied: " : "would change: ") << plan->diff.size()
                      << " setting(s)\n";
    }
    return Ok;
}

} // namespace Portoser::Cli
