// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAnyStringView>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace Portoser::Yaml {

/**
 * One node of a parsed YAML document, in Qt types. A cheap handle: copies share the node, and an
 * alias shares the node it names (so `*r` repeated a thousand times costs a thousand handles, not
 * a thousand copies). A default-constructed Node is "missing" and converts to false.
 */
class Node
{
public:
    enum class Kind {
        Null,
        Scalar,
        Sequence,
        Map
    };
    struct Entry;

    Node() = default;

    explicit operator bool() const { return m_data != nullptr; }
    Kind kind() const;
    bool isNull() const { return !m_data || kind() == Kind::Null; }
    bool isScalar() const { return m_data && kind() == Kind::Scalar; }
    bool isSequence() const { return m_data && kind() == Kind::Sequence; }
    bool isMap() const { return m_data && kind() == Kind::Map; }

    /** The text of a scalar, as written (tags and quotes removed); empty for other kinds. */
    QString scalar() const;
    /** Where the node starts, 1-based; 0 when unknown (a missing node). */
    int line() const;
    int column() const;

    /** Items of a sequence, entries of a mapping (in document order, repeated keys kept). */
    QList<Node> items() const;
    QList<Entry> entries() const;
    /** The number of items or entries; 0 for scalars and null. */
    qsizetype size() const;

    /** The value of the first entry whose key is `key`; missing when there is none. */
    Node operator[](QAnyStringView key) const;
    /** The item at `index` of a sequence; missing when out of range. */
    Node at(qsizetype index) const;

private:
    struct Data;
    friend class TreeBuilder;
    explicit Node(std::shared_ptr<const Data> data)
        : m_data(std::move(data))
    {}
    std::shared_ptr<const Data> m_data;
};

struct Node::Entry
{
    Node key;
    Node value;
};

/** Bounds on what one document may cost, whoever sent it. */
struct Limits
{
    /** Nodes after expanding every alias: a registry of 10,000 services stays far below. */
    qsizetype maxNodes = 1'000'000;
    /** Nesting of sequences and mappings; registries need about 5. */
    int maxDepth = 64;
};

struct ParseError
{
    int line = 0; // 1-based; 0 when unknown
    int column = 0;
    QString message;
    /** True when the text is YAML but exceeds the Limits (not a syntax error). */
    bool tooLarge = false;
};

struct Document
{
    Node root; // missing for an empty text
    std::optional<ParseError> error;
};

/** Parses the first document of `text`. Never throws. */
Document parse(const QByteArray &text, const Limits &limits = {});

} // namespace Portoser::Yaml
