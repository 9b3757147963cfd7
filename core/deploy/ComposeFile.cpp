// SPDX-License-Identifier: Apache-2.0
#include "core/deploy/ComposeFile.h"

#include "core/yaml/YamlDocument.h"

namespace Portoser::ComposeFile {

namespace {

using namespace Qt::Literals::StringLiterals;

/** A mount's source names a volume, not a host path (compose: a path starts with / . or ~). */
bool isVolumeName(const QString &source)
{
    return !source.isEmpty() && !source.startsWith(u'/') && !source.startsWith(u'.')
           && !source.startsWith(u'~') && !source.contains(u'/') && !source.startsWith(u'$');
}

void collect(const Yaml::Node &service, QStringList &out)
{
    for (const Yaml::Node &mount : service["volumes"].items()) {
        if (mount.isScalar()) {
            const QString source = mount.scalar().section(u':', 0, 0);
            if (mount.scalar().contains(u':') && isVolumeName(source))
                out.append(source);
        } else if (mount.isMap()) {
            const QString type = mount["type"].scalar();
            const QString source = mount["source"].scalar();
            if ((type.isEmpty() || type == u"volume"_s) && isVolumeName(source))
                out.append(source);
        }
    }
}

} // namespace

QStringList namedVolumes(const QByteArray &text, const QString &composeService)
{
    const Yaml::Document doc = Yaml::parse(text, {100'000, 32});
    QStringList out;
    if (doc.error || !doc.root.isMap())
        return out;
    for (const Yaml::Node::Entry &e : doc.root["services"].entries()) {
        if (composeService.isEmpty() || e.key.scalar() == composeService)
            collect(e.value, out);
    }
    out.sort();
    out.removeDuplicates();
    return out;
}

} // namespace Portoser::ComposeFile
