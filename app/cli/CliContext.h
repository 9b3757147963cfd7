// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Orchestrator.h"

#include <QJsonValue>
#include <QTextStream>

#include <optional>

namespace Portoser::Cli {

/** What a command gets to work with: output streams, the chosen registry and the core facade. */
class CliContext
{
public:
    CliContext(QTextStream &out, QTextStream &err, Orchestrator &orchestrator)
        : m_out(out)
        , m_err(err)
        , m_orchestrator(orchestrator)
    {}

    QTextStream &out() { return m_out; }
    QTextStream &err() { return m_err; }
    Orchestrator &orchestrator() const { return m_orchestrator; }

    void setRegistryPath(const QString &path) { m_registryPath = path; }
    QString registryPath() const { return m_registryPath; }
    void setCommand(const QString &name) { m_command = name; }
    void setJson(bool json) { m_json = json; }
    bool json() const { return m_json; }
    /** `--local`: reach the hosts from this process even when a coordinator runs here. */
    void setForceLocal(bool local) { m_forceLocal = local; }
    bool forceLocal() const { return m_forceLocal; }

    /**
     * Loads and validates the registry. On errors it prints them (as JSON with --json) and
     * returns nothing, so a command can simply `return Failed`.
     */
    std::optional<Registry> validRegistry();

    /** "cli:<login name>", the actor history records for this command. */
    static QString actor();

    /** Prints a JSON document on stdout. */
    void printJson(const QJsonValue &value);
    /** Prints "portoser: message" on stderr, or {"error":...} on stdout with --json. */
    void printError(const QString &message);
    /** Reports a misuse of the current command on stderr and returns ExitCode::UsageError. */
    int usageError(const QString &message);

private:
    QTextStream &m_out;
    QTextStream &m_err;
    Orchestrator &m_orchestrator;
    QString m_registryPath;
    QString m_command;
    bool m_json = false;
    bool m_forceLocal = false;
};

} // namespace Portoser::Cli
