// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/HostScript.h"

#include "core/transport/ShellCommand.h"

#include <QDirIterator>
#include <QFile>
#include <QHash>
#include <QRegularExpression>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

struct Resource
{
    QString body;
    QHash<QString, QStringList> declared; // section ("Reads", "Sets") -> variables
};

/** Splits a script file into its leading comment block (parsed) and its body. */
Resource parse(const QString &text)
{
    static const QRegularExpression heading(u"^# (Reads|Sets):"_s);
    static const QRegularExpression entry(u"^#\\s{2,}"_s);
    static const QRegularExpression variable(u"\\G\\$([a-z_][a-z0-9_]*)\\s*"_s);
    Resource resource;
    QString section;
    qsizetype pos = 0;
    while (pos < text.size() && text.at(pos) == u'#') {
        qsizetype end = text.indexOf(u'\n', pos);
        if (end < 0)
            end = text.size();
        const QString line = text.mid(pos, end - pos);
        pos = end + 1;
        if (const auto m = heading.match(line); m.hasMatch()) {
            section = m.captured(1);
            if (!resource.declared.contains(section))
                resource.declared.insert(section, {}); // a section may declare nothing
            continue;
        }
        const auto indented = entry.match(line);
        if (!indented.hasMatch()) {
            section.clear(); // prose after the list
            continue;
        }
        if (section.isEmpty())
            continue;
        for (auto m = variable.match(line, indented.capturedEnd()); m.hasMatch();
             m = variable.match(line, m.capturedEnd()))
            resource.declared[section].append(m.captured(1));
    }
    while (pos < text.size() && text.at(pos) == u'\n')
        ++pos; // the blank line after the block
    resource.body = text.mid(pos);
    return resource;
}

/** Every script, loaded once (the first use, from any thread). */
const QHash<QString, Resource> &resources()
{
    static const QHash<QString, Resource> all = [] {
        QHash<QString, Resource> map;
        QDirIterator it(u":/scripts"_s, {u"*.sh"_s}, QDir::Files);
        while (it.hasNext()) {
            QFile file(it.next());
            if (!file.open(QIODevice::ReadOnly))
                qFatal("cannot read the compiled-in host script %s", qPrintable(file.fileName()));
            map.insert(it.fileInfo().completeBaseName(), parse(QString::fromUtf8(file.readAll())));
        }
        return map;
    }();
    return all;
}

} // namespace

HostScript::HostScript(const QString &name, PreludeUse prelude)
    : m_name(name)
    , m_prelude(prelude)
{
    Q_ASSERT_X(resources().contains(name), "HostScript", qPrintable(name));
}

HostScript &HostScript::set(const QString &variable, const QString &expression)
{
    Q_ASSERT_X(isValidName(variable), "HostScript::set", qPrintable(variable));
    for (auto &[name, value] : m_variables) {
        if (name == variable) {
            value = expression;
            return *this;
        }
    }
    m_variables.append({variable, expression});
    return *this;
}

HostScript &HostScript::setValue(const QString &variable, const QString &value)
{
    return set(variable, ShellCommand::quote(value));
}

HostScript &HostScript::setValue(const QString &variable, qint64 number)
{
    return set(variable, QString::number(number));
}

HostScript &HostScript::setFlag(const QString &variable, bool on)
{
    return set(variable, on ? u"1"_s : u"''"_s);
}

QString HostScript::render() const
{
    if (const QString mismatch = contractMismatch(); !mismatch.isEmpty()) {
        // A programming error (TestHostScripts renders every script): say so loudly.
        qCritical("host script %s: %s", qPrintable(m_name), qPrintable(mismatch));
        Q_ASSERT_X(false, "HostScript::render", qPrintable(mismatch));
        // Fails on the host rather than running with a variable unset.
        return u"echo 'portoser: the host script %1 is not filled as it declares' >&2; exit 70\n"_s
            .arg(m_name);
    }
    const auto found = resources().constFind(m_name);
    if (found == resources().cend()) // fails on the host rather than running half a script
        return u"echo 'portoser: the host script %1 is missing from this build' >&2; exit 70\n"_s
            .arg(m_name);
    QString script;
    for (const auto &[name, value] : m_variables) {
        if (isValidName(name)) // never anything else before the '='
            script += name + u'=' + value + u'\n';
    }
    if (m_prelude == WithPrelude)
        script += body(u"prelude"_s);
    return script + found->body;
}

QString HostScript::contractMismatch() const
{
    if (!resources().contains(m_name))
        return u"no such script"_s;
    QStringList set;
    for (const auto &[name, value] : m_variables) {
        if (!isValidName(name))
            return u"'%1' is not a variable name"_s.arg(name);
        set.append(name);
    }
    QStringList declared = HostScript::declared(m_name);
    set.sort();
    declared.sort();
    declared.removeDuplicates();
    if (set == declared)
        return {};
    QStringList undeclared, unset;
    for (const QString &name : std::as_const(set)) {
        if (!declared.contains(name))
            undeclared.append(name);
    }
    for (const QString &name : std::as_const(declared)) {
        if (!set.contains(name))
            unset.append(name);
    }
    return u"sets undeclared [%1]; leaves declared [%2] unset"_s.arg(undeclared.join(u' '),
                                                                     unset.join(u' '));
}

QStringList HostScript::names()
{
    QStringList names = resources().keys();
    names.sort();
    return names;
}

QString HostScript::body(const QString &name)
{
    return resources().value(name).body;
}

QStringList HostScript::declared(const QString &name, const QString &section)
{
    return resources().value(name).declared.value(section);
}

bool HostScript::isValidName(const QString &variable)
{
    static const QRegularExpression valid(
        QRegularExpression::anchoredPattern(u"[a-z_][a-z0-9_]*"_s));
    return valid.match(variable).hasMatch();
}

} // namespace Portoser
