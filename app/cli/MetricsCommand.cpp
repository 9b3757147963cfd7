// SPDX-License-Identifier: Apache-2.0
#include "app/cli/MetricsCommand.h"

#include "app/cli/TextTable.h"
#include "core/Orchestrator.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {

const QCommandLineOption SinceOption(u"since"_s,
                                     u"How far back: 90s, 15m, 1h (the default), 7d, 30d."_s,
                                     u"DURATION"_s, u"1h"_s);

/** Eight levels of a block, lowest to highest: the series' shape in one line. */
QString sparkline(const QList<MetricPoint> &points, int width = 40)
{
    if (points.isEmpty())
        return {};
    static const QString blocks = u"▁▂▃▄▅▆▇█"_s;
    // The last `width` buckets of equal time, each its points' mean.
    const qint64 first = points.first().at, last = points.last().at;
    const qint64 span = std::max<qint64>(1, last - first + 1);
    QList<double> sums(width, 0), counts(width, 0);
    for (const MetricPoint &p : points) {
        const auto i = qsizetype((p.at - first) * width / span);
        sums[i] += p.value * p.count;
        counts[i] += p.count;
    }
    double lo = 0, hi = 0;
    bool any = false;
    for (qsizetype i = 0; i < width; ++i) {
        if (counts[i] == 0)
            continue;
        const double v = sums[i] / counts[i];
        lo = any ? std::min(lo, v) : v;
        hi = any ? std::max(hi, v) : v;
        any = true;
    }
    QString line;
    for (qsizetype i = 0; i < width; ++i) {
        if (counts[i] == 0) {
            line += u' ';
            continue;
        }
        const double v = sums[i] / counts[i];
        const auto level = hi > lo ? qsizetype((v - lo) / (hi - lo) * 7.0 + 0.5) : 3;
        line += blocks.at(level);
    }
    return line;
}

QString number(double v)
{
    return std::abs(v - std::round(v)) < 1e-9 ? QString::number(qint64(std::round(v)))
                                              : QString::number(v, 'f', 2);
}

} // namespace

CommandSpec MetricsCommand::spec() const
{
    CommandSpec s{
        u"metrics"_s,
        u"HOST|SERVICE [--since DURATION]"_s,
        u"A host's or service's observations over time, and a service's uptime and MTTR."_s,
        u"What the watchdog (portoser --serve, the window, heal --watch) observed, kept in the "
        "database: raw samples for 24 hours, then 5-minute aggregates for 30 days.\n"
        "A host: reachable, ssh_ms (the observation's round trip), load1, mem_used_pct, "
        "swap_used_pct, disk_used_pct, inode_used_pct (of its base path).\n"
        "A service: up (1 running and healthy, 0 not), starts (since its release was "
        "deployed); and its uptime over 24 h, 7 d and 30 d and its mean time to recovery, "
        "from the healer's down and recovered events."_s,
        {SinceOption}};
    s.usesHosts = true;
    return s;
}

int MetricsCommand::run(CliContext &context, const QCommandLineParser &args)
{
    const QStringList words = args.positionalArguments();
    if (words.size() != 1)
        return context.usageError(u"metrics takes one HOST or SERVICE"_s);
    const auto since = parseSinceSeconds(args.value(SinceOption));
    if (!since)
        return context.usageError(
            u"--since %1: give a duration such as 90s, 15m, 1h, 7d"_s.arg(args.value(SinceOption)));
    const auto registry = context.validRegistry();
    if (!registry)
        return Failed;
    const QString name = words.first();
    auto report = context.orchestrator().metricsReport(*registry, name, *since);
    if (!report) {
        context.printError(report.error().message);
        return Failed;
    }
    if (context.json()) {
        context.printJson(toJson(*report));
        return Ok;
    }
    const QList<MetricSeries> *series = &report->series;
    const std::optional<Availability> &availability = report->availability;
    if (series->isEmpty())
        context.out() << "no samples of " << name << " in the last " << args.value(SinceOption)
                      << " (the watchdog keeps them: portoser --serve, the window, heal --watch)\n";
    TextTable table({u"SERIES"_s, u"LAST"_s, u"MIN"_s, u"MEAN"_s, u"MAX"_s, u"SAMPLES"_s,
                     u"SINCE %1"_s.arg(args.value(SinceOption))});
    for (const MetricSeries &s : std::as_const(*series)) {
        double lo = s.points.first().min, hi = s.points.first().max, sum = 0;
        qint64 count = 0;
        for (const MetricPoint &p : s.points) {
            lo = std::min(lo, p.min);
            hi = std::max(hi, p.max);
            sum += p.value * p.count;
            count += p.count;
        }
        table.addRow({s.name, number(s.points.last().value), number(lo),
                      number(sum / double(count)), number(hi), QString::number(count),
                      sparkline(s.points)});
    }
    if (!series->isEmpty())
        table.print(context.out());
    if (availability) {
        const Availability &a = *availability;
        context.out() << "uptime " << number(a.uptimePct24h) << " % (24 h), "
                      << number(a.uptimePct7d) << " % (7 d), " << number(a.uptimePct30d)
                      << " % (30 d); " << a.outages30d << " outage(s) in 30 d"
                      << (a.mttrSeconds >= 0 ? u", MTTR %1 s"_s.arg(a.mttrSeconds) : QString())
                      << (a.downNow ? u"; down now"_s : QString()) << '\n';
    }
    return Ok;
}

} // namespace Portoser::Cli
