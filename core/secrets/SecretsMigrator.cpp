// SPDX-License-Identifier: Apache-2.0
#include "core/secrets/SecretsMigrator.h"

#include "core/registry/RegistryEditor.h"
#include "core/secrets/EnvFile.h"

#include <QJsonArray>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

QJsonObject MigrationStep::toJson() const
{
    return {{u"service"_s, service},
            {u"source"_s, source},
            {u"path"_s, path},
            {u"keys"_s, QJsonArray::fromStringList(keys)},
            {u"written"_s, QJsonArray::fromStringList(written)},
            {u"referenced"_s, QJsonArray::fromStringList(referenced)},
            {u"original_removed"_s, originalRemoved},
            {u"skipped"_s, skipped.isEmpty() ? QJsonValue() : QJsonValue(skipped)},
            {u"error"_s, error.isEmpty() ? QJsonValue() : QJsonValue(error)}};
}

SecretsMigrator::SecretsMigrator(SecretsBackend &backend, ReadFile read, RemoveFile remove)
    : m_backend(backend)
    , m_read(std::move(read))
    , m_remove(std::move(remove))
{}

QString SecretsMigrator::envFileOf(const Service &service)
{
    if (!service.envFile.isEmpty())
        return service.envFile;
    return service.serviceFile ? service.serviceFile->envFile : QString();
}

MigrationStep SecretsMigrator::migrate(const Service &service, const Options &options)
{
    MigrationStep step;
    step.service = service.name;
    step.path = defaultPath(service.name);
    const QString envFile = envFileOf(service);
    if (envFile.isEmpty()) {
        step.skipped = u"no env_file"_s;
        return step;
    }
    step.source = service.currentHost + u':' + envFile;
    auto text = m_read(service);
    if (!text) {
        step.error = text.error().message;
        return step;
    }
    auto values = EnvFile::parse(*text, step.source);
    if (!values) {
        step.error = values.error().message;
        return step;
    }
    step.keys = values->keys();
    QMap<QString, QString> references;
    for (const QString &key : std::as_const(step.keys)) {
        references.insert(key, options.referencePrefix + step.path + u'#' + key);
        if (!service.secrets.contains(key))
            step.referenced.append(key);
    }
    auto written = m_backend.writeChanged(step.path, *values, options.dryRun);
    if (!written) {
        step.error = written.error().message;
        return step;
    }
    step.written = *written;
    if (options.dryRun)
        return step;
    // The registry's env_file goes: the references replace it. A service.yml stays untouched.
    const bool dropEnvFile = !service.envFile.isEmpty();
    if (!step.referenced.isEmpty() || dropEnvFile) {
        if (auto edited = RegistryEditor::addSecrets(service, references, dropEnvFile); !edited) {
            step.error = edited.error().message;
            return step;
        }
    }
    if (options.removeOriginals) {
        if (auto removed = m_remove(service); !removed) {
            step.error = removed.error().message;
            return step;
        }
        step.originalRemoved = true;
    }
    return step;
}

} // namespace Portoser
