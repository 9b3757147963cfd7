// SPDX-License-Identifier: Apache-2.0
#include "core/secrets/SecretsBackend.h"

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

std::optional<SecretReference> SecretReference::parse(const QString &text)
{
    SecretReference ref;
    QString rest = text.trimmed();
    for (const QString &backend : {u"local"_s, u"vault"_s}) {
        if (rest.startsWith(backend + u':')) {
            ref.backend = backend;
            rest = rest.mid(backend.size() + 1);
        }
    }
    const qsizetype hash = rest.lastIndexOf(u'#');
    if (hash <= 0 || hash == rest.size() - 1)
        return std::nullopt;
    ref.path = rest.left(hash);
    ref.key = rest.mid(hash + 1);
    return ref;
}

QString SecretReference::toString() const
{
    return (backend.isEmpty() ? QString() : backend + u':') + path + u'#' + key;
}

Result<int> SecretsBackend::rollback(const QString &path, const QString &key, int version)
{
    auto old = get(path, key, version);
    if (!old)
        return old.error();
    return put(path, key, *old);
}

Result<QMap<QString, SecretChange>> SecretsBackend::compare(const QString &path,
                                                            const QMap<QString, QString> &values)
{
    QMap<QString, SecretChange> out;
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        auto stored = get(path, it.key());
        if (!stored && stored.error().code != ErrorCode::NotFound)
            return stored.error();
        out.insert(it.key(), !stored                 ? SecretChange::New
                             : *stored == it.value() ? SecretChange::Same
                                                     : SecretChange::Changed);
    }
    return out;
}

Result<QStringList> SecretsBackend::writeChanged(const QString &path,
                                                 const QMap<QString, QString> &values, bool dryRun)
{
    auto changes = compare(path, values);
    if (!changes)
        return changes.error();
    QMap<QString, QString> changed;
    for (auto it = changes->cbegin(); it != changes->cend(); ++it) {
        if (it.value() != SecretChange::Same)
            changed.insert(it.key(), values.value(it.key()));
    }
    if (!dryRun && !changed.isEmpty()) {
        if (auto written = putAll(path, changed); !written)
            return written.error();
    }
    return changed.keys();
}

Result<void> SecretsBackend::checkNames(const QString &path, const QString &key)
{
    const bool bad = path.isEmpty() || key.isEmpty() || path.contains(u'#') || key.contains(u'#')
                     || path.startsWith(u'/') || path.endsWith(u'/') || path.contains(u"//"_s)
                     || key.contains(u'/');
    if (bad)
        return Error{ErrorCode::InvalidInput,
                     u"'%1#%2': a secret needs a PATH (a/b, no leading or trailing '/') and a KEY, "
                     "neither with '#' in it"_s.arg(path, key)};
    return {};
}

} // namespace Portoser
