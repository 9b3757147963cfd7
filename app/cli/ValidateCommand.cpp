// SPDX-License-Identifier: Apache-2.0
#include "app/cli/ValidateCommand.h"

#include "core/registry/RegistryJson.h"

#include <QJsonObject>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

namespace {
const QCommandLineOption StrictOption(u"strict"_s,
                                      u"Treat warnings (such as unknown keys) as errors."_s);
}

CommandSpec ValidateCommand::spec() const
{
    return {u"validate"_s,
            QString(),
            u"Check the registry and everything it includes; report every problem at once."_s,
            u"Each problem is printed as FILE:LINE:COLUMN: error|warning: message. Exit status is "
            "1 when there is an error (or a warning with --strict), 0 otherwise."_s,
            {StrictOption}};
}

int ValidateCommand::run(CliContext &context, const QCommandLineParser &args)
{
    if (!args.positionalArguments().isEmpty())
        return context.usageError(
            u"validate takes no arguments; use --registry PATH to choose a file"_s);
    const CheckedRegistry checked = context.orchestrator().checkRegistry(context.registryPath());
    const int errors = errorCount(checked.issues);
    const int warnings = warningCount(checked.issues);
    const bool failed = errors > 0 || (args.isSet(StrictOption) && warnings > 0);

    if (context.json()) {
        context.printJson(QJsonObject{{u"registry"_s, context.registryPath()},
                                      {u"valid"_s, !failed},
                                      {u"errors"_s, errors},
                                      {u"warnings"_s, warnings},
                                      {u"hosts"_s, checked.registry.hosts.size()},
                                      {u"services"_s, checked.registry.services.size()},
                                      {u"issues"_s, RegistryJson::toJson(checked.issues)}});
        return failed ? Failed : Ok;
    }
    QTextStream &stream = failed ? context.err() : context.out();
    for (const Issue &issue : checked.issues)
        stream << issue.toString() << '\n';
    const auto plural = [](int n, const QString &word) {
        return u"%1 %2%3"_s.arg(n).arg(word, n == 1 ? QString() : u"s"_s);
    };
    const QString counts = plural(errors, u"error"_s) + u", "_s + plural(warnings, u"warning"_s);
    if (failed)
        stream << context.registryPath() << ": invalid: " << counts << '\n';
    else
        stream << context.registryPath() << ": valid: " << checked.registry.hosts.size()
               << " hosts, " << checked.registry.services.size() << " services, " << counts << '\n';
    return failed ? Failed : Ok;
}

} // namespace Portoser::Cli
