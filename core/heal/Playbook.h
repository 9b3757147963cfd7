// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/Issue.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace Portoser {

/** One step of a playbook: a Portoser action, or a command run on the service's host. */
struct PlaybookStep
{
    QString action;    // restart | start_dependency | clear_pid | free_port | prune | reset_failed
                       // | wait | report; empty for a command step
    QString command;   // with {placeholders}, each replaced by one quoted shell word
    bool kill = false; // free_port: kill the holder (only where the registry allows it)
    SourceLocation where;

    /** "restart", or "command: …" */
    QString describe() const;
};

/** What the healer does about one fingerprint: built in, written by an operator, or learned. */
struct Playbook
{
    QString name;
    QString fingerprint;
    QString description;
    QStringList services; // empty: any service
    QList<PlaybookStep> steps;
    QString origin; // "built-in", a file path, or "learned"
    SourceLocation where;
    SourceLocation fingerprintWhere; // of the fingerprint's value, for errors

    bool appliesTo(const QString &service) const
    {
        return services.isEmpty() || services.contains(service);
    }
    QString stepsText() const;
};

QJsonObject toJson(const Playbook &playbook);

namespace Playbooks {
/** The actions a step may name. */
QStringList actions();
/** The {placeholders} a command may use. */
QStringList placeholders();
/** One built-in playbook per fingerprint. */
QList<Playbook> builtIn();
/**
 * The playbook for `fingerprint` and `service`: an operator's naming the service, then an
 * operator's for any service, then the built-in one. Null when there is none.
 */
const Playbook *choose(const QList<Playbook> &operators, const QList<Playbook> &builtIns,
                       const QString &fingerprint, const QString &service);
/** Checks a playbook read from a file; problems name the file, line and column. */
IssueList validate(const Playbook &playbook);
} // namespace Playbooks

/** Operator playbooks: YAML files under ~/.portoser/knowledge/playbooks/ (one playbook a file). */
class PlaybookLoader
{
public:
    struct Loaded
    {
        QList<Playbook> playbooks; // the valid ones
        IssueList issues;
    };

    /** ~/.portoser/knowledge/playbooks (under $PORTOSER_HOME when set). */
    static QString defaultDirectory();
    static Loaded loadDirectory(const QString &directory);
    static Loaded parse(const QByteArray &yaml, const QString &path);
};

} // namespace Portoser
