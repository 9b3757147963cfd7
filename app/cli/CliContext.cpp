// SPDX-License-Identifier: Apache-2.0
#include "app/cli/CliContext.h"

#include "app/cli/ExitCode.h"
#include "core/Actor.h"
#include "core/registry/RegistryJson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <pwd.h>
#include <unistd.h>

namespace Portoser::Cli {

using namespace Qt::Literals::StringLiterals;

std::optional<Registry> CliContext::validRegistry()
{
    CheckedRegistry checked = m_orchestrator.checkRegistry(m_registryPath);
    if (checked.isValid())
        return std::move(checked.registry);
    IssueList errors;
    for (const Issue &issue : checked.issues) {
        if (issue.isError())
            errors.append(issue);
    }
    if (m_json) {
        printJson(QJsonObject{
            {u"error"_s,
             QJsonObject{{u"code"_s, u"invalid_registry"_s},
                         {u"message"_s, u"the registry has %1 error(s)"_s.arg(errors.size())},
                         {u"issues"_s, RegistryJson::toJson(errors)}}}});
    } else {
        for (const Issue &issue : errors)
            m_err << issue.toString() << '\n';
        m_err << "portoser: " << m_registryPath << " has " << errors.size()
              << (errors.size() == 1 ? " error" : " errors")
              << "; run 'portoser --cli validate' for details\n";
    }
    return std::nullopt;
}

QString CliContext::actor()
{
    return localActor(u"cli"_s);
}

void CliContext::printJson(const QJsonValue &value)
{
    const QJsonDocument doc =
        value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    m_out << doc.toJson(QJsonDocument::Indented);
    m_out.flush();
}

int CliContext::usageError(const QString &message)
{
    m_err << "portoser: " << m_command << ": " << message << '\n'
          << "Run 'portoser --cli " << m_command << " --help' for usage.\n";
    return UsageError;
}

void CliContext::printError(const QString &message)
{
    if (m_json)
        printJson(QJsonObject{
            {u"error"_s, QJsonObject{{u"code"_s, u"failed"_s}, {u"message"_s, message}}}});
    else
        m_err << "portoser: " << message << '\n';
}

} // namespace Portoser::Cli
