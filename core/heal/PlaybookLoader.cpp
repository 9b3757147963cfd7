// SPDX-License-Identifier: Apache-2.0
// Reads operator playbooks through the YAML adapter (core/yaml).
#include "core/heal/Playbook.h"
#include "core/yaml/YamlDocument.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

const QStringList PlaybookKeys = {u"name"_s, u"fingerprint"_s, u"description"_s, u"services"_s,
                                  u"steps"_s};
const QStringList StepKeys = {u"action"_s, u"command"_s, u"kill"_s};

class Reader
{
public:
    Reader(QString path, PlaybookLoader::Loaded &out)
        : m_path(std::move(path))
        , m_out(out)
    {}

    SourceLocation at(const Yaml::Node &node) const { return {m_path, node.line(), node.column()}; }
    void error(const SourceLocation &where, const QString &message)
    {
        m_out.issues.append({Issue::Severity::Error, where, message});
    }
    bool checkKeys(const Yaml::Node &map, const QStringList &known, const QString &what)
    {
        bool ok = true;
        for (const Yaml::Node::Entry &entry : map.entries()) {
            const QString key = entry.key.scalar();
            if (!known.contains(key)) {
                error(at(entry.key),
                      u"%1: unknown key \"%2\" (known: %3)"_s.arg(what, key, known.join(u", "_s)));
                ok = false;
            }
        }
        return ok;
    }
    QString scalar(const Yaml::Node &node, const QString &what)
    {
        if (!node)
            return {};
        if (!node.isScalar()) {
            error(at(node), u"%1 must be text"_s.arg(what));
            return {};
        }
        return node.scalar();
    }

    void read(const Yaml::Node &root)
    {
        if (!root.isMap()) {
            error(at(root), u"a playbook file holds one mapping (name, fingerprint, steps)"_s);
            return;
        }
        Playbook p;
        p.origin = m_path;
        p.where = at(root);
        checkKeys(root, PlaybookKeys, u"playbook"_s);
        p.name = scalar(root["name"], u"name"_s);
        p.fingerprint = scalar(root["fingerprint"], u"fingerprint"_s);
        if (root["fingerprint"])
            p.fingerprintWhere = at(root["fingerprint"]);
        p.description = scalar(root["description"], u"description"_s);
        if (const Yaml::Node services = root["services"]) {
            if (services.isSequence()) {
                for (const Yaml::Node &s : services.items())
                    p.services.append(scalar(s, u"a service name"_s));
            } else {
                p.services.append(scalar(services, u"services"_s));
            }
        }
        const Yaml::Node steps = root["steps"];
        if (steps && !steps.isSequence())
            error(at(steps), u"steps must be a list"_s);
        else if (steps) {
            for (const Yaml::Node &node : steps.items()) {
                PlaybookStep step;
                step.where = at(node);
                if (node.isScalar()) {
                    step.action = node.scalar();
                } else if (node.isMap()) {
                    checkKeys(node, StepKeys, u"step"_s);
                    step.action = scalar(node["action"], u"action"_s);
                    step.command = scalar(node["command"], u"command"_s);
                    step.kill = node["kill"] && node["kill"].isScalar()
                                && node["kill"].scalar() == u"true"_s;
                } else {
                    error(step.where, u"a step is an action name or a mapping"_s);
                    continue;
                }
                p.steps.append(step);
            }
        }
        const IssueList problems = Playbooks::validate(p);
        m_out.issues += problems;
        if (errorCount(problems) == 0 && errorCount(m_out.issues) == 0)
            m_out.playbooks.append(p);
    }

private:
    QString m_path;
    PlaybookLoader::Loaded &m_out;
};

} // namespace

QString PlaybookLoader::defaultDirectory()
{
    const QString home = qEnvironmentVariable("PORTOSER_HOME", QDir::homePath() + u"/.portoser"_s);
    return home + u"/knowledge/playbooks"_s;
}

PlaybookLoader::Loaded PlaybookLoader::parse(const QByteArray &yaml, const QString &path)
{
    Loaded loaded;
    Reader reader(path, loaded);
    const Yaml::Document document = Yaml::parse(yaml);
    if (const auto &e = document.error)
        loaded.issues.append({Issue::Severity::Error, {path, e->line, e->column}, e->message});
    else
        reader.read(document.root);
    return loaded;
}

PlaybookLoader::Loaded PlaybookLoader::loadDirectory(const QString &directory)
{
    Loaded all;
    const QDir dir(directory);
    for (const QFileInfo &info :
         dir.entryInfoList({u"*.yml"_s, u"*.yaml"_s}, QDir::Files, QDir::Name)) {
        QFile file(info.filePath());
        if (!file.open(QIODevice::ReadOnly)) {
            all.issues.append({Issue::Severity::Error,
                               {info.filePath(), 0, 0},
                               u"cannot read: %1"_s.arg(file.errorString())});
            continue;
        }
        const Loaded one = parse(file.readAll(), info.filePath());
        all.playbooks += one.playbooks;
        all.issues += one.issues;
    }
    return all;
}

} // namespace Portoser
