// SPDX-License-Identifier: Apache-2.0
// Reads registry files into a Registry through the YAML adapter (core/yaml), with every problem
// reported as an Issue at file:line:col.
#include "core/registry/RegistryLoader.h"

#include "core/registry/FieldRules.h"
#include "core/registry/RegistrySchema.h"
#include "core/yaml/YamlDocument.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QScopedValueRollback>
#include <QSet>
#include <QUrl>

#include <algorithm>
#include <functional>
#include <type_traits>
#include <variant>

#include <glob.h>

namespace Portoser {

namespace {

using namespace Qt::Literals::StringLiterals;

using RegistrySchema::Value;

/** Stores a value read from the registry into the member a schema row names. */
template <typename Entity, typename V>
void store(Entity &entity, const RegistrySchema::Slot<Entity> &slot, V value)
{
    std::visit(
        [&](auto member) {
            if constexpr (!std::is_same_v<decltype(member), std::monostate>) {
                using T = std::remove_cvref_t<decltype(entity.*member)>;
                if constexpr (
                    std::is_same_v<
                        T, V> || (std::is_same_v<T, std::optional<int>> && std::is_same_v<V, int>))
                    entity.*member = std::move(value);
                else
                    Q_ASSERT_X(false, "RegistrySchema", "a row's member does not match its value");
            }
        },
        slot);
}

QString kindOf(const Yaml::Node &node)
{
    switch (node.kind()) {
    case Yaml::Node::Kind::Sequence:
        return u"a list"_s;
    case Yaml::Node::Kind::Map:
        return u"a mapping"_s;
    case Yaml::Node::Kind::Null:
        return u"empty"_s;
    case Yaml::Node::Kind::Scalar:
        break;
    }
    return u"a single value"_s;
}

std::optional<bool> parseBool(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == u"true"_s || t == u"yes"_s || t == u"on"_s)
        return true;
    if (t == u"false"_s || t == u"no"_s || t == u"off"_s)
        return false;
    return std::nullopt;
}

/** One file being read: its path and lines, for exact columns. */
struct SourceFile
{
    QString path;
    QStringList lines;
};

/** Reads one registry and everything it includes, collecting issues as it goes. */
class Parser
{
public:
    explicit Parser(const Interpolator &interpolator,
                    RegistryLoader::FileAccess files = RegistryLoader::FileAccess::Allowed)
        : m_interpolator(interpolator)
        , m_files(files == RegistryLoader::FileAccess::Allowed)
    {}

    void parseFile(const QString &path, bool topLevel, const SourceLocation &includedFrom);
    void parseText(const QByteArray &yaml, const QString &path, bool topLevel);

    CheckedRegistry result;

private:
    // --- locations and issues
    SourceLocation at(const Yaml::Node &node) const;
    void error(const SourceLocation &where, const QString &message);
    void warning(const SourceLocation &where, const QString &message);
    void checkKeys(const Yaml::Node &map, const QStringList &known, const QString &subject);

    // --- typed reads; each reports its own problem and returns nothing on failure
    std::optional<QString> text(const Yaml::Node &node, const QString &subject,
                                const QString &field);
    std::optional<int> integer(const Yaml::Node &node, const QString &subject, const QString &field,
                               int min, int max);
    std::optional<int> port(const Yaml::Node &node, const QString &subject, const QString &field);
    std::optional<int> duration(const Yaml::Node &node, const QString &subject,
                                const QString &field);
    std::optional<bool> boolean(const Yaml::Node &node, const QString &subject,
                                const QString &field);
    QStringList list(const Yaml::Node &node, const QString &subject, const QString &field,
                     bool mapKeysToo = false);
    QMap<QString, QString> stringMap(const Yaml::Node &node, const QString &subject,
                                     const QString &field);

    // --- sections
    void parseDocument(const Yaml::Node &root, bool topLevel);
    void parseIncludes(const Yaml::Node &node);
    void parseHosts(const Yaml::Node &node);
    void parseServices(const Yaml::Node &node);
    Host parseHost(const QString &name, const Yaml::Node &map);
    Service parseService(const QString &name, const Yaml::Node &map);
    void parseHealth(const Yaml::Node &map, Service &service, const QString &subject);
    void parseHeal(const Yaml::Node &map, Service &service, const QString &subject);
    void parseCaddy(const Yaml::Node &map);
    void parseCoordinator(const Yaml::Node &map);
    void parseNotifications(const Yaml::Node &list);
    std::optional<NotificationChannel> parseChannel(const Yaml::Node &map, const QString &subject);
    /** Reads every row of `table` that is not Custom or Ignored from `map` into `entity`. */
    template <typename Entity>
    void readFields(const Yaml::Node &map, const RegistrySchema::Table<Entity> &table,
                    Entity &entity, const QString &subject);
    std::optional<ServiceFile> loadServiceFile(const QString &declared, const SourceLocation &where,
                                               const QString &subject);

public:
    /** Reads a service.yml's text; problems are reported against `path`. */
    std::optional<ServiceFile> parseServiceFile(const QByteArray &bytes, const QString &path,
                                                const QString &subject);

private:
    /** Calls `fn(key, keyNode, valueNode)` for each entry of a mapping, flagging repeated keys. */
    void forEachEntry(
        const Yaml::Node &map, const QString &subject,
        const std::function<void(const QString &, const Yaml::Node &, const Yaml::Node &)> &fn);

    /** Marks `field` of the entity being read as reported, so the validator does not repeat it. */
    void markInvalid(const QString &field)
    {
        if (m_invalidFields)
            m_invalidFields->insert(field);
    }

    const Interpolator &m_interpolator;
    bool m_files = true; // include: and service_file may be read
    const SourceFile *m_file = nullptr;
    QSet<QString> *m_invalidFields = nullptr; // of the host/service being read
    QStringList m_includeStack;               // canonical paths being read, to stop include cycles
    QString m_rootDir;
};

SourceLocation Parser::at(const Yaml::Node &node) const
{
    return {m_file->path, node.line(), node.column()};
}

void Parser::error(const SourceLocation &where, const QString &message)
{
    result.issues.append({Issue::Severity::Error, where, message});
}

void Parser::warning(const SourceLocation &where, const QString &message)
{
    result.issues.append({Issue::Severity::Warning, where, message});
}

void Parser::forEachEntry(
    const Yaml::Node &map, const QString &subject,
    const std::function<void(const QString &, const Yaml::Node &, const Yaml::Node &)> &fn)
{
    QHash<QString, SourceLocation> seen;
    for (const auto &entry : map.entries()) {
        const Yaml::Node key = entry.key;
        if (!key.isScalar()) {
            error(at(key), u"%1: a key must be a single value, not %2"_s.arg(subject, kindOf(key)));
            continue;
        }
        const QString name = key.scalar();
        if (const auto previous = seen.constFind(name); previous != seen.cend()) {
            error(
                at(key),
                u"%1: key \"%2\" appears twice (first at %3); the second would silently win"_s.arg(
                    subject, name, previous->toString()));
            continue;
        }
        seen.insert(name, at(key));
        fn(name, key, entry.value);
    }
}

void Parser::checkKeys(const Yaml::Node &map, const QStringList &known, const QString &subject)
{
    QHash<QString, SourceLocation> seen;
    for (const auto &entry : map.entries()) {
        if (!entry.key.isScalar())
            continue;
        const QString key = entry.key.scalar();
        if (const auto previous = seen.constFind(key); previous != seen.cend()) {
            error(at(entry.key),
                  u"%1: key \"%2\" appears twice (first at %3); only one may stay"_s.arg(
                      subject, key, previous->toString()));
            continue;
        }
        seen.insert(key, at(entry.key));
        if (known.contains(key))
            continue;
        const QString guess = RegistrySchema::nearest(key, known);
        warning(at(entry.key),
                guess.isEmpty() ? u"%1: unknown key \"%2\" is ignored"_s.arg(subject, key)
                                : u"%1: unknown key \"%2\" is ignored (did you mean \"%3\"?)"_s.arg(
                                    subject, key, guess));
    }
}

std::optional<QString> Parser::text(const Yaml::Node &node, const QString &subject,
                                    const QString &field)
{
    if (!node || node.isNull())
        return std::nullopt;
    if (!node.isScalar()) {
        error(at(node),
              u"%1: %2 must be a single value, not %3"_s.arg(subject, field, kindOf(node)));
        markInvalid(field);
        return std::nullopt;
    }
    const QString raw = node.scalar();
    const Interpolator::Outcome expanded = m_interpolator.expand(raw);
    if (expanded.problems.isEmpty())
        return expanded.text;
    const SourceLocation start = at(node);
    // The mark is where the scalar starts: step over an opening quote to reach its text.
    int quote = 0;
    if (start.line > 0 && start.line <= m_file->lines.size()) {
        const QString &line = m_file->lines.at(start.line - 1);
        if (start.column - 1 < line.size()) {
            const QChar first = line.at(start.column - 1);
            quote = (first == u'"' || first == u'\'') ? 1 : 0;
        }
    }
    for (const Interpolator::Problem &p : expanded.problems) {
        SourceLocation where = start;
        const qsizetype newlines = raw.left(p.offset).count(u'\n');
        if (newlines == 0) {
            where.column = start.column + quote + int(p.offset);
        } else { // a block scalar: the exact column is unknown, the line is close enough
            where.line += int(newlines);
            where.column = 0;
        }
        error(where, u"%1: %2: %3"_s.arg(subject, field, p.message));
    }
    markInvalid(field);
    return std::nullopt;
}

std::optional<int> Parser::integer(const Yaml::Node &node, const QString &subject,
                                   const QString &field, int min, int max)
{
    const auto value = text(node, subject, field);
    if (!value)
        return std::nullopt;
    bool ok = false;
    const int n = value->trimmed().toInt(&ok);
    if (!ok || n < min || n > max) {
        error(at(node), u"%1: %2 must be a whole number from %3 to %4, not \"%5\""_s.arg(
                            subject, field, QString::number(min), QString::number(max), *value));
        markInvalid(field);
        return std::nullopt;
    }
    return n;
}

std::optional<int> Parser::port(const Yaml::Node &node, const QString &subject,
                                const QString &field)
{
    const auto value = text(node, subject, field);
    if (!value)
        return std::nullopt;
    if (const auto bad = FieldRules::checkPort(*value)) {
        error(at(node), u"%1: %2: %3"_s.arg(subject, field, *bad));
        markInvalid(field);
        return std::nullopt;
    }
    return value->trimmed().toInt();
}

std::optional<int> Parser::duration(const Yaml::Node &node, const QString &subject,
                                    const QString &field)
{
    const auto value = text(node, subject, field);
    if (!value)
        return std::nullopt;
    const auto seconds = FieldRules::parseDuration(*value, 7 * 24 * 3600);
    if (!seconds) {
        error(at(node), u"%1: %2 must be a duration such as 30, 30s, 5m or 1h, not \"%3\""_s.arg(
                            subject, field, *value));
        markInvalid(field);
        return std::nullopt;
    }
    return int(*seconds); // at most 7 days
}

std::optional<bool> Parser::boolean(const Yaml::Node &node, const QString &subject,
                                    const QString &field)
{
    const auto value = text(node, subject, field);
    if (!value)
        return std::nullopt;
    const auto flag = parseBool(*value);
    if (!flag) {
        error(at(node), u"%1: %2 must be true or false, not \"%3\""_s.arg(subject, field, *value));
        markInvalid(field);
    }
    return flag;
}

QStringList Parser::list(const Yaml::Node &node, const QString &subject, const QString &field,
                         bool mapKeysToo)
{
    QStringList out;
    if (!node || node.isNull())
        return out;
    if (node.isScalar()) {
        if (auto one = text(node, subject, field))
            out.append(*one);
        return out;
    }
    if (node.isMap() && mapKeysToo) { // service.yml: dependencies: {caddy: {reason: ...}}
        forEachEntry(
            node, subject,
            [&](const QString &key, const Yaml::Node &, const Yaml::Node &) { out.append(key); });
        return out;
    }
    if (!node.isSequence()) {
        error(at(node), u"%1: %2 must be a list, not %3"_s.arg(subject, field, kindOf(node)));
        markInvalid(field);
        return out;
    }
    for (const Yaml::Node &item : node.items()) {
        if (auto value = text(item, subject, field))
            out.append(*value);
    }
    return out;
}

QMap<QString, QString> Parser::stringMap(const Yaml::Node &node, const QString &subject,
                                         const QString &field)
{
    QMap<QString, QString> out;
    if (!node || node.isNull())
        return out;
    if (!node.isMap()) {
        error(at(node), u"%1: %2 must be a mapping of NAME: value, not %3"_s.arg(subject, field,
                                                                                 kindOf(node)));
        markInvalid(field);
        return out;
    }
    forEachEntry(node, subject,
                 [&](const QString &key, const Yaml::Node &keyNode, const Yaml::Node &value) {
                     if (const auto bad = FieldRules::checkEnvName(key)) {
                         error(at(keyNode), u"%1: %2: %3"_s.arg(subject, field, *bad));
                         return;
                     }
                     if (value.isNull()) {
                         out.insert(key, QString());
                         return;
                     }
                     if (auto v = text(value, subject, u"%1.%2"_s.arg(field, key)))
                         out.insert(key, *v);
                 });
    return out;
}

template <typename Entity>
void Parser::readFields(const Yaml::Node &map, const RegistrySchema::Table<Entity> &table,
                        Entity &entity, const QString &subject)
{
    for (const RegistrySchema::Field<Entity> &field : table) {
        const Yaml::Node node = map[field.key];
        if (!node)
            continue;
        switch (field.value) {
        case Value::Text:
            if (auto v = text(node, subject, field.key))
                store(entity, field.slot, *v);
            break;
        case Value::Port:
            if (auto v = port(node, subject, field.key))
                store(entity, field.slot, *v);
            break;
        case Value::Duration:
            if (auto v = duration(node, subject, field.key))
                store(entity, field.slot, *v);
            break;
        case Value::Flag:
            if (auto v = boolean(node, subject, field.key))
                store(entity, field.slot, *v);
            break;
        case Value::Count:
            if (auto v = integer(node, subject, field.key, field.min, field.max))
                store(entity, field.slot, *v);
            break;
        case Value::List:
            store(entity, field.slot, list(node, subject, field.key));
            break;
        case Value::EnvMap:
            store(entity, field.slot, stringMap(node, subject, field.key));
            break;
        case Value::Custom:
        case Value::Ignored:
            break;
        }
    }
}

void Parser::parseFile(const QString &path, bool topLevel, const SourceLocation &includedFrom)
{
    QFile file(path);
    if (!result.registry.watchPaths.contains(path))
        result.registry.watchPaths.append(path); // even unreadable: its fix should be noticed
    const SourceLocation where = includedFrom.isValid() ? includedFrom : SourceLocation{path};
    const QString what =
        includedFrom.isValid() ? u"included file %1"_s.arg(path) : u"the registry %1"_s.arg(path);
    // A FIFO would block forever, /dev/zero never end, a directory is no text.
    if (!QFileInfo(path).isFile() && QFileInfo::exists(path))
        return error(where, u"cannot read %1: not a regular file"_s.arg(what));
    if (!file.open(QIODevice::ReadOnly))
        return error(where, u"cannot read %1: %2"_s.arg(what, file.errorString()));
    const QByteArray text = file.read(RegistryLoader::MaxFileBytes + 1);
    if (text.size() > RegistryLoader::MaxFileBytes)
        return error(where, u"cannot read %1: larger than %2 MiB"_s.arg(what).arg(
                                RegistryLoader::MaxFileBytes >> 20));
    parseText(text, path, topLevel);
}

void Parser::parseText(const QByteArray &yaml, const QString &path, bool topLevel)
{
    const SourceFile source{path, QString::fromUtf8(yaml).split(u'\n')};
    const SourceFile *outer = m_file;
    m_file = &source;
    if (topLevel) {
        result.registry.path = path;
        m_rootDir = QFileInfo(path).absolutePath();
        m_includeStack = {QFileInfo(path).canonicalFilePath()};
    }
    const Yaml::Document document = Yaml::parse(yaml);
    if (const auto &e = document.error) {
        error({path, e->line, e->column},
              e->tooLarge ? e->message
                          : u"this is not valid YAML (%1); check the indentation and that every "
                            "key is followed by ':'"_s.arg(e->message));
    } else {
        parseDocument(document.root, topLevel);
    }
    m_file = outer;
}

void Parser::parseDocument(const Yaml::Node &root, bool topLevel)
{
    if (!root || root.isNull()) {
        if (topLevel)
            error({m_file->path, 1, 1},
                  u"the registry is empty; it needs at least 'hosts' and 'services'"_s);
        return;
    }
    if (!root.isMap()) {
        error(at(root),
              u"the top level must be a mapping with 'hosts' and 'services', not %1"_s.arg(
                  kindOf(root)));
        return;
    }
    checkKeys(root, topLevel ? RegistrySchema::topLevelKeys() : RegistrySchema::includedFileKeys(),
              topLevel ? u"registry"_s : u"included file"_s);
    if (topLevel || result.registry.domain.isEmpty()) {
        if (const auto domain = text(root["domain"], u"registry"_s, u"domain"_s)) {
            result.registry.domain = *domain;
            result.registry.domainLocation = at(root["domain"]);
        }
    }
    if (topLevel) {
        if (root["caddy"])
            parseCaddy(root["caddy"]);
        if (const Yaml::Node coordinator = root["coordinator"])
            parseCoordinator(coordinator);
        if (const Yaml::Node notifications = root["notifications"])
            parseNotifications(notifications);
        if (const Yaml::Node dns = root["dns"]; dns && dns.isMap())
            checkKeys(dns, RegistrySchema::dnsKeys(), u"dns"_s);
    }
    if (root["hosts"])
        parseHosts(root["hosts"]);
    if (root["services"])
        parseServices(root["services"]);
    if (root["include"])
        parseIncludes(root["include"]);
    if (topLevel && !root["hosts"] && !root["include"])
        error({m_file->path, 1, 1}, u"the registry has no 'hosts' section"_s);
    if (topLevel && !root["services"] && !root["include"])
        error({m_file->path, 1, 1}, u"the registry has no 'services' section"_s);
}

void Parser::parseIncludes(const Yaml::Node &node)
{
    // Join with the including file's directory as written, so messages show paths the way the
    // user wrote them (relative stays relative).
    const QString baseDir = QFileInfo(m_file->path).path();
    QList<Yaml::Node> entries; // `include: a.yml` or a list of files and globs
    if (node.isSequence()) {
        for (const Yaml::Node &item : node.items())
            entries.append(item);
    } else {
        entries.append(node);
    }
    for (const Yaml::Node &entry : entries) {
        const auto pattern = text(entry, u"include"_s, u"entry"_s);
        if (!pattern)
            continue;
        const SourceLocation where = at(entry);
        if (!m_files) {
            error(where, u"include: not followed here: a posted registry is checked on its own, "
                         "without reading the coordinator's files (send one document)"_s);
            continue;
        }
        const QString absolute = QDir::cleanPath(QDir(baseDir).filePath(*pattern));
        QStringList files;
        if (pattern->contains(u'*') || pattern->contains(u'?') || pattern->contains(u'[')) {
            glob_t matches{};
            if (::glob(QFile::encodeName(absolute).constData(), 0, nullptr, &matches) == 0) {
                for (size_t i = 0; i < matches.gl_pathc; ++i)
                    files.append(QFile::decodeName(matches.gl_pathv[i]));
            }
            globfree(&matches);
            const QString globDir = QFileInfo(absolute).absolutePath();
            if (!result.registry.watchPaths.contains(globDir))
                result.registry.watchPaths.append(globDir);
            if (files.isEmpty())
                warning(where, u"include: pattern \"%1\" matches no file"_s.arg(*pattern));
        } else {
            files.append(absolute);
        }
        std::sort(files.begin(), files.end());
        for (const QString &file : files) {
            const QString canonical = QFileInfo(file).canonicalFilePath();
            if (canonical.isEmpty()) {
                error(where, u"include: file \"%1\" does not exist"_s.arg(file));
                continue;
            }
            if (m_includeStack.contains(canonical)) {
                error(
                    where,
                    u"include: \"%1\" is already being read; includes must not form a cycle"_s.arg(
                        *pattern));
                continue;
            }
            m_includeStack.append(canonical);
            parseFile(file, false, where);
            m_includeStack.removeLast();
        }
    }
}

void Parser::parseHosts(const Yaml::Node &node)
{
    if (node.isNull())
        return;
    if (!node.isMap()) {
        error(at(node),
              u"hosts must be a mapping of host name to settings, not %1"_s.arg(kindOf(node)));
        return;
    }
    forEachEntry(
        node, u"hosts"_s, [&](const QString &name, const Yaml::Node &key, const Yaml::Node &value) {
            const QString subject = u"host \"%1\""_s.arg(name);
            if (!value.isMap()) {
                error(at(key),
                      u"%1 must be a mapping of settings, not %2"_s.arg(subject, kindOf(value)));
                return;
            }
            if (const Host *existing = result.registry.host(name)) {
                error(at(key), u"%1 is defined twice: here and at %2"_s.arg(
                                   subject, existing->location.toString()));
                return;
            }
            Host host = parseHost(name, value);
            host.location = at(key);
            result.registry.hosts.insert(name, host);
        });
}

Host Parser::parseHost(const QString &name, const Yaml::Node &map)
{
    const QString subject = u"host \"%1\""_s.arg(name);
    static const QStringList keys = RegistrySchema::keysOf(RegistrySchema::hostFields());
    checkKeys(map, keys, subject);
    Host host;
    host.name = name;
    const QScopedValueRollback invalidScope(m_invalidFields, &host.invalidFields);
    for (const auto &entry : map.entries()) {
        if (entry.key.isScalar())
            host.fields.insert(entry.key.scalar(), at(entry.value));
    }
    readFields(map, RegistrySchema::hostFields(), host, subject);
    if (const auto transport = text(map["transport"], subject, u"transport"_s)) {
        host.transportExplicit = true;
        if (*transport == u"ssh"_s)
            host.transport = TransportKind::Ssh;
        else if (*transport == u"local"_s)
            host.transport = TransportKind::Local;
        else {
            error(at(map["transport"]),
                  u"%1: transport must be \"ssh\" or \"local\", not \"%2\""_s.arg(subject,
                                                                                  *transport));
            markInvalid(u"transport"_s);
        }
    }
    return host;
}

void Parser::parseServices(const Yaml::Node &node)
{
    if (node.isNull())
        return;
    if (!node.isMap()) {
        error(at(node), u"services must be a mapping of service name to settings, not %1"_s.arg(
                            kindOf(node)));
        return;
    }
    forEachEntry(node, u"services"_s,
                 [&](const QString &name, const Yaml::Node &key, const Yaml::Node &value) {
                     const QString subject = u"service \"%1\""_s.arg(name);
                     if (!value.isMap()) {
                         error(at(key), u"%1 must be a mapping of settings, not %2"_s.arg(
                                            subject, kindOf(value)));
                         return;
                     }
                     if (const Service *existing = result.registry.service(name)) {
                         error(at(key), u"%1 is defined twice: here and at %2"_s.arg(
                                            subject, existing->location.toString()));
                         return;
                     }
                     Service service = parseService(name, value);
                     service.location = at(key);
                     result.registry.services.insert(name, service);
                 });
}

Service Parser::parseService(const QString &name, const Yaml::Node &map)
{
    const QString subject = u"service \"%1\""_s.arg(name);
    static const QStringList keys = RegistrySchema::keysOf(RegistrySchema::serviceFields());
    checkKeys(map, keys, subject);
    Service s;
    s.name = name;
    const QScopedValueRollback invalidScope(m_invalidFields, &s.invalidFields);
    for (const auto &entry : map.entries()) {
        if (entry.key.isScalar())
            s.fields.insert(entry.key.scalar(), at(entry.value));
    }
    readFields(map, RegistrySchema::serviceFields(), s, subject);
    if (const auto type = text(map["deployment_type"], subject, u"deployment_type"_s)) {
        if (const auto parsed = deploymentTypeFromString(*type))
            s.type = *parsed;
        else {
            error(at(map["deployment_type"]),
                  u"%1: deployment_type must be one of process, local, native, docker, not \"%2\""_s
                      .arg(subject, *type));
            markInvalid(u"deployment_type"_s);
        }
    }
    if (const Yaml::Node health = map["health"]; health && !health.isNull())
        parseHealth(health, s, subject);
    if (const Yaml::Node heal = map["heal"]; heal && !heal.isNull())
        parseHeal(heal, s, subject);
    if (!s.serviceFilePath.isEmpty())
        s.serviceFile = loadServiceFile(s.serviceFilePath, s.where(u"service_file"_s), subject);
    return s;
}

void Parser::parseHealth(const Yaml::Node &map, Service &s, const QString &subject)
{
    if (!map.isMap()) {
        error(at(map),
              u"%1: health must be a mapping (type, path, port, command, ...), not %2"_s.arg(
                  subject, kindOf(map)));
        return;
    }
    const QString where = subject + u": health"_s;
    static const QStringList keys = RegistrySchema::keysOf(RegistrySchema::healthFields());
    checkKeys(map, keys, where);
    for (const auto &entry : map.entries()) {
        if (entry.key.isScalar())
            s.fields.insert(u"health."_s + entry.key.scalar(), at(entry.value));
    }
    HealthCheck &h = s.health;
    if (const auto type = text(map["type"], where, u"type"_s)) {
        static const QHash<QString, HealthCheck::Type> types = {
            {u"http"_s, HealthCheck::Type::Http},
            {u"tcp"_s, HealthCheck::Type::Tcp},
            {u"command"_s, HealthCheck::Type::Command}};
        if (types.contains(*type))
            h.type = types.value(*type);
        else
            error(at(map["type"]),
                  u"%1: type must be http, tcp or command, not \"%2\""_s.arg(where, *type));
    }
    if (const auto v = duration(map["interval"], where, u"interval"_s))
        h.intervalSeconds = h.watchIntervalSeconds = std::max(1, *v);
    readFields(map, RegistrySchema::healthFields(), h, where);
}

void Parser::parseHeal(const Yaml::Node &map, Service &s, const QString &subject)
{
    if (!map.isMap()) {
        error(at(map), u"%1: heal must be a mapping (enabled, max_restarts, window), not %2"_s.arg(
                           subject, kindOf(map)));
        return;
    }
    const QString where = subject + u": heal"_s;
    static const QStringList keys = RegistrySchema::keysOf(RegistrySchema::healFields());
    checkKeys(map, keys, where);
    readFields(map, RegistrySchema::healFields(), s.heal, where);
    if (const auto v = duration(map["window"], where, u"window"_s))
        s.heal.windowSeconds = std::max(1, *v);
}

void Parser::parseCaddy(const Yaml::Node &map)
{
    if (!map.isMap()) {
        error(at(map), u"caddy must be a mapping, not %1"_s.arg(kindOf(map)));
        return;
    }
    const QString subject = u"caddy"_s;
    checkKeys(map, RegistrySchema::caddyKeys(), subject);
    CaddySettings &c = result.registry.caddy;
    c.present = true;
    c.location = at(map);
    const Yaml::Node ingress = map["ingress_host"] ? map["ingress_host"] : map["host"];
    const Yaml::Node admin = map["admin_endpoint"] ? map["admin_endpoint"] : map["admin_api"];
    if (ingress)
        c.fields.insert(u"ingress_host"_s, at(ingress));
    if (admin)
        c.fields.insert(u"admin_endpoint"_s, at(admin));
    if (const auto v = text(ingress, subject, u"ingress_host"_s))
        c.ingressHost = *v;
    if (const auto v = text(admin, subject, u"admin_endpoint"_s))
        c.adminEndpoint = *v;
    if (const auto v = port(map["http_port"], subject, u"http_port"_s))
        c.httpPort = *v;
    if (const auto v = port(map["https_port"], subject, u"https_port"_s))
        c.httpsPort = *v;
}

void Parser::parseCoordinator(const Yaml::Node &map)
{
    if (!map.isMap()) {
        error(at(map),
              u"coordinator must be a mapping (url: https://host:8420), not %1"_s.arg(kindOf(map)));
        return;
    }
    checkKeys(map, RegistrySchema::coordinatorKeys(), u"coordinator"_s);
    CoordinatorSettings &c = result.registry.coordinator;
    c.location = at(map["url"] ? map["url"] : map);
    const auto url = text(map["url"], u"coordinator"_s, u"url"_s);
    if (!url) {
        if (!map["url"])
            error(at(map), u"coordinator: url is missing (http(s)://host:port of its --serve)"_s);
        return;
    }
    const QUrl parsed(*url, QUrl::StrictMode);
    if (!parsed.userInfo().isEmpty()) { // and not echoed: it may hold a password
        error(c.location, u"coordinator: url must not carry credentials; the window and the CLI "
                          "take a token from PORTOSER_TOKEN or the keychain"_s);
        return;
    }
    if (!parsed.isValid() || (parsed.scheme() != u"http"_s && parsed.scheme() != u"https"_s)
        || parsed.host().isEmpty() || (!parsed.path().isEmpty() && parsed.path() != u"/"_s)
        || parsed.hasQuery() || parsed.hasFragment()) {
        // Echoed only when it cannot hold credentials (an '@' may end a password).
        error(c.location, url->contains(u'@')
                              ? u"coordinator: url must be http(s)://host[:port] of its --serve"_s
                              : u"coordinator: url must be http(s)://host[:port] of its --serve, "
                                "not \"%1\""_s.arg(*url));
        return;
    }
    c.url = *url;
    while (c.url.endsWith(u'/'))
        c.url.chop(1);
}

void Parser::parseNotifications(const Yaml::Node &list)
{
    if (!list.isSequence()) {
        error(at(list), u"notifications must be a list of channels (- type: webhook, url: ...), "
                        "not %1"_s.arg(kindOf(list)));
        return;
    }
    int index = 0;
    for (const Yaml::Node &item : list.items()) {
        const QString subject = u"notifications[%1]"_s.arg(index++);
        if (auto channel = parseChannel(item, subject))
            result.registry.notifications.append(*channel);
    }
}

std::optional<NotificationChannel> Parser::parseChannel(const Yaml::Node &map,
                                                        const QString &subject)
{
    if (!map.isMap()) {
        error(at(map), u"%1 must be a mapping (type: webhook, url: ...), not %2"_s.arg(
                           subject, kindOf(map)));
        return std::nullopt;
    }
    checkKeys(map, RegistrySchema::notificationKeys(), subject);
    NotificationChannel c;
    c.location = at(map);
    const auto type = text(map["type"], subject, u"type"_s);
    if (!type) {
        if (!map["type"])
            error(at(map), u"%1: type is missing (%2)"_s.arg(
                               subject, NotificationChannel::typeNames().join(u", "_s)));
        return std::nullopt;
    }
    const qsizetype kind = NotificationChannel::typeNames().indexOf(*type);
    if (kind < 0) {
        const QString guess = RegistrySchema::nearest(*type, NotificationChannel::typeNames());
        error(at(map["type"]),
              u"%1: type must be one of %2, not \"%3\"%4"_s.arg(
                  subject, NotificationChannel::typeNames().join(u", "_s), *type,
                  guess.isEmpty() ? QString() : u" (did you mean \"%1\"?)"_s.arg(guess)));
        return std::nullopt;
    }
    c.type = NotificationChannel::Type(kind);
    static const QRegularExpression secretRef(
        u"^(?:(vault|local):)?([A-Za-z0-9_./-]+)#([A-Za-z0-9_.-]+)$"_s);
    const auto reference = [&](const char *key) -> QString {
        const auto v = text(map[key], subject, QString::fromLatin1(key));
        if (v && (!secretRef.match(*v).hasMatch() || v->contains(u".."_s))) {
            // Not echoed: a password written here by mistake must not reach a log.
            error(at(map[key]), u"%1: %2 must be a secret reference PATH#KEY (optionally vault: "
                                "or local:), not a value"_s.arg(subject, QString::fromLatin1(key)));
            return {};
        }
        return v.value_or(QString());
    };
    c.events = list(map["events"], subject, u"events"_s);
    for (const QString &event : std::as_const(c.events)) {
        if (NotificationChannel::eventNames().contains(event))
            continue;
        const QString guess = RegistrySchema::nearest(event, NotificationChannel::eventNames());
        error(at(map["events"]),
              u"%1: unknown event \"%2\" (events: %3)%4"_s.arg(
                  subject, event, NotificationChannel::eventNames().join(u", "_s),
                  guess.isEmpty() ? QString() : u"; did you mean \"%1\"?"_s.arg(guess)));
    }
    if (c.type == NotificationChannel::Type::Email) {
        if (const auto smtp = text(map["smtp"], subject, u"smtp"_s)) {
            const QUrl parsed(u"smtp://"_s + *smtp, QUrl::StrictMode);
            if (!parsed.isValid() || parsed.host().isEmpty() || !parsed.userInfo().isEmpty()
                || !parsed.path().isEmpty()) {
                error(at(map["smtp"]),
                      u"%1: smtp must be host[:port] of the mail server, not \"%2\""_s.arg(
                          subject, smtp->contains(u'@') ? u"(not shown)"_s : *smtp));
            } else {
                c.smtpHost = parsed.host();
                c.smtpPort = parsed.port(587);
            }
        } else if (!map["smtp"]) {
            error(at(map), u"%1: an email channel needs smtp: host[:port]"_s.arg(subject));
        }
        c.from = text(map["from"], subject, u"from"_s).value_or(QString());
        if (!c.from.contains(u'@'))
            error(at(map["from"] ? map["from"] : map),
                  u"%1: an email channel needs from: an address"_s.arg(subject));
        c.to = list(map["to"], subject, u"to"_s);
        if (c.to.isEmpty())
            error(at(map["to"] ? map["to"] : map),
                  u"%1: an email channel needs to: one address or a list"_s.arg(subject));
        for (const QString &address : std::as_const(c.to)) {
            if (!address.contains(u'@'))
                error(at(map["to"]),
                      u"%1: to: \"%2\" is not a mail address"_s.arg(subject, address));
        }
        c.username = text(map["username"], subject, u"username"_s).value_or(QString());
        c.passwordSecret = reference("password_secret");
        if (!c.username.isEmpty() && c.passwordSecret.isEmpty() && !map["password_secret"])
            error(at(map["username"]),
                  u"%1: username needs password_secret: PATH#KEY (the password stays in the "
                  "secrets store)"_s.arg(subject));
        return c;
    }
    c.urlSecret = reference("url_secret");
    if (const auto url = text(map["url"], subject, u"url"_s)) {
        const QUrl parsed(*url, QUrl::StrictMode);
        if (!parsed.userInfo().isEmpty())
            error(at(map["url"]),
                  u"%1: url must not carry credentials; keep the URL in the "
                  "secrets store and name it with url_secret: PATH#KEY"_s.arg(subject));
        else if (!parsed.isValid() || parsed.host().isEmpty()
                 || (parsed.scheme() != u"http"_s && parsed.scheme() != u"https"_s))
            error(at(map["url"]),
                  u"%1: url must be an http(s) URL, not \"%2\""_s.arg(subject, *url));
        else
            c.url = *url;
    }
    if (map["url"] && map["url_secret"])
        error(at(map["url_secret"]), u"%1: give url or url_secret, not both"_s.arg(subject));
    else if (!map["url"] && !map["url_secret"])
        error(at(map),
              u"%1: a %2 channel needs url: (or url_secret: PATH#KEY)"_s.arg(subject, *type));
    return c;
}

std::optional<ServiceFile> Parser::loadServiceFile(const QString &declared,
                                                   const SourceLocation &where,
                                                   const QString &subject)
{
    // Upstream writes service_file relative to the host's base path ("/app/service.yml"). When the
    // same tree sits beside the registry we read it now; otherwise it is read on the host at
    // deploy.
    if (!m_files)
        return std::nullopt; // read on the host at deploy, as when it is not beside the registry
    QString relative = declared;
    while (relative.startsWith(u'/'))
        relative.remove(0, 1);
    QString found;
    for (const QString &candidate : {QDir(m_rootDir).filePath(relative), declared}) {
        if (!relative.contains(u".."_s) && QFileInfo(candidate).isFile()) {
            found = candidate;
            break;
        }
    }
    if (found.isEmpty())
        return std::nullopt;
    QFile file(found);
    if (!result.registry.watchPaths.contains(found))
        result.registry.watchPaths.append(found);
    if (!file.open(QIODevice::ReadOnly)) {
        error(where,
              u"%1: cannot read service_file %2: %3"_s.arg(subject, found, file.errorString()));
        return std::nullopt;
    }
    const QByteArray bytes = file.read(RegistryLoader::MaxFileBytes + 1);
    if (bytes.size() > RegistryLoader::MaxFileBytes) {
        error(where, u"%1: service_file %2 is larger than %3 MiB"_s.arg(subject, found)
                         .arg(RegistryLoader::MaxFileBytes >> 20));
        return std::nullopt;
    }
    return parseServiceFile(bytes, found, subject);
}

std::optional<ServiceFile> Parser::parseServiceFile(const QByteArray &bytes, const QString &found,
                                                    const QString &subject)
{
    const SourceFile source{found, QString::fromUtf8(bytes).split(u'\n')};
    const SourceFile *outer = m_file;
    m_file = &source;
    ServiceFile sf;
    sf.path = found;
    const QString fileSubject = u"%1: service_file"_s.arg(subject);
    const Yaml::Document document = Yaml::parse(bytes);
    const Yaml::Node &root = document.root;
    if (const auto &e = document.error) {
        error({found, e->line, e->column},
              e->tooLarge ? u"%1: %2"_s.arg(fileSubject, e->message)
                          : u"%1 is not valid YAML (%2)"_s.arg(fileSubject, e->message));
    } else {
        if (!root.isMap()) {
            error({found, 1, 1}, u"%1 must be a mapping, not %2"_s.arg(fileSubject, kindOf(root)));
        } else {
            static const QStringList keys =
                RegistrySchema::keysOf(RegistrySchema::serviceFileFields());
            // A docker service's service_file may be its compose file; only check service.yml keys.
            if (!root["services"])
                checkKeys(root, keys, fileSubject);
            readFields(root, RegistrySchema::serviceFileFields(), sf, fileSubject);
            sf.port = port(root["port"], fileSubject, u"port"_s);
            if (!sf.port && root["ports"] && root["ports"].isSequence() && root["ports"].size() > 0)
                sf.port = port(root["ports"].at(0), fileSubject, u"ports"_s);
            sf.dependencies = list(root["dependencies"], fileSubject, u"dependencies"_s, true);
        }
    }
    m_file = outer;
    return sf;
}

} // namespace

RegistryLoader::RegistryLoader(Interpolator::Lookup environment, FileAccess files)
    : m_environment(std::move(environment))
    , m_files(files)
{}

CheckedRegistry RegistryLoader::load(const QString &path) const
{
    const Interpolator interpolator(m_environment);
    Parser parser(interpolator, m_files);
    parser.parseFile(path, true, {});
    return std::move(parser.result);
}

Result<ServiceFile> RegistryLoader::parseServiceFile(const QByteArray &yaml,
                                                     const QString &path) const
{
    const Interpolator interpolator(m_environment);
    Parser parser(interpolator);
    auto parsed = parser.parseServiceFile(yaml, path, u"service_file"_s);
    for (const Issue &issue : parser.result.issues) {
        if (issue.isError())
            return Error{ErrorCode::ParseError, issue.toString()};
    }
    if (!parsed)
        return Error{ErrorCode::ParseError, u"%1 is not a service.yml"_s.arg(path)};
    return *parsed;
}

CheckedRegistry RegistryLoader::loadFromText(const QByteArray &yaml,
                                             const QString &virtualPath) const
{
    const Interpolator interpolator(m_environment);
    Parser parser(interpolator, m_files);
    parser.parseText(yaml, virtualPath, true);
    return std::move(parser.result);
}

} // namespace Portoser
