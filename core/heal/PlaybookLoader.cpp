// SPDX-License-Identifier: Apache-2.0
// The yaml-cpp adapter for operator playbooks.
#include "core/heal/Playbook.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <yaml-cpp/yaml.h>

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

    SourceLocation at(const YAML::Node &node) const
    {
        const YAML::Mark mark = node.Mark();
        return mark.line < 0 ? SourceLocation{m_path, 0, 0}
                             : SourceLocation{m_path, mark.line + 1, mark.column + 1};
    }
    void error(const SourceLocation &where, const QString &message)
    {
        m_out.issues.append({Issue::Severity::Error, where, message});
    }
    bool checkKeys(const YAML::Node &map, const QStringList &known, const QString &what)
    {
        bool ok = true;
        for (auto it = map.begin(); it != map.end(); ++it) {
            const QString key = QString::fromStdString(it->first.Scalar());
            if (!known.contains(key)) {
                error(at(it->first),
                      u"%1: unknown key \"%2\" (known: %3)"_s.arg(what, key, known.join(u", "_s)));
                ok = false;
            }
        }
        return ok;
    }
    QString scalar(const YAML::Node &node, const QString &what)
    {
        if (!node)
            return {};
        if (!node.IsScalar()) {
            error(at(node), u"%1 must be text"_s.arg(what));
            return {};
        }
        return QString::fromStdString(node.Scalar());
    }

    void read(const YAML::Node &root)
    {
        if (!root.IsMap()) {
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
        if (const YAML::Node services = root["services"]) {
            if (services.IsSequence()) {
                for (const YAML::Node &s : services)
                    p.services.append(scalar(s, u"a service name"_s));
            } else {
                p.services.append(scalar(services, u"services"_s));
            }
        }
        const YAML::Node steps = root["steps"];
        if (steps && !steps.IsSequence())
            error(at(steps), u"steps must be a list"_s);
        else if (steps) {
            for (const YAML::Node &node : steps) {
                PlaybookStep step;
                step.where = at(node);
                if (node.IsScalar()) {
                    step.action = QString::fromStdString(node.Scalar());
                } else if (node.IsMap()) {
                    checkKeys(node, StepKeys, u"step"_s);
                    step.action = scalar(node["action"], u"action"_s);
                    step.command = scalar(node["command"], u"command"_s);
                    step.kill =
                        node["kill"] && node["kill"].IsScalar() && node["kill"].Scalar() == "true";
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
    try {
        reader.read(YAML::Load(yaml.toStdString()));
    } catch (const YAML::Exception &e) {
        loaded.issues.append({Issue::Severity::Error,
                              {path, e.mark.line + 1, e.mark.column + 1},
                              QString::fromStdString(e.msg)});
    }
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
