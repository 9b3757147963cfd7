// SPDX-License-Identifier: Apache-2.0
// yaml-cpp adapter: the only file that sees yaml-cpp; its exceptions stop here. Documents are built
// from the parser's events rather than with YAML::Load so that aliases can be counted as they are
// used and a document that would expand past the Limits is refused before anything walks it.
#include "core/yaml/YamlDocument.h"

#include <QHash>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <sstream>

namespace Portoser::Yaml {

using namespace Qt::Literals::StringLiterals;

struct Node::Data
{
    Kind kind = Kind::Null;
    QString scalar;
    int line = 0;
    int column = 0;
    QList<Node> items;
    QList<Node::Entry> entries;
    qsizetype weight = 1; // this node and everything below it, aliases expanded
    int height = 1;       // levels from this node down to its deepest leaf, aliases expanded
};

Node::Kind Node::kind() const
{
    return m_data ? m_data->kind : Kind::Null;
}

QString Node::scalar() const
{
    return isScalar() ? m_data->scalar : QString();
}

int Node::line() const
{
    return m_data ? m_data->line : 0;
}

int Node::column() const
{
    return m_data ? m_data->column : 0;
}

QList<Node> Node::items() const
{
    return isSequence() ? m_data->items : QList<Node>();
}

QList<Node::Entry> Node::entries() const
{
    return isMap() ? m_data->entries : QList<Entry>();
}

qsizetype Node::size() const
{
    if (!m_data)
        return 0;
    return m_data->kind == Kind::Map ? m_data->entries.size() : m_data->items.size();
}

Node Node::operator[](QAnyStringView key) const
{
    if (!isMap())
        return {};
    for (const Entry &entry : m_data->entries) {
        if (entry.key.isScalar() && QAnyStringView::equal(entry.key.m_data->scalar, key))
            return entry.value;
    }
    return {};
}

Node Node::at(qsizetype index) const
{
    if (!isSequence() || index < 0 || index >= m_data->items.size())
        return {};
    return m_data->items.at(index);
}

namespace {

/** Thrown from inside the event handler to stop the parser at the first exceeded limit. */
struct LimitExceeded
{
    YAML::Mark mark;
    QString message;
};

} // namespace

/** Builds the Node tree from yaml-cpp's events, enforcing the Limits as it goes. */
class TreeBuilder final : public YAML::EventHandler
{
public:
    explicit TreeBuilder(const Limits &limits)
        : m_limits(limits)
    {}

    Node root;

    void OnDocumentStart(const YAML::Mark &) override {}
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        add(newNode(Node::Kind::Null, mark), anchor);
    }

    void OnAlias(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        const auto target = m_anchors.constFind(anchor);
        if (target == m_anchors.cend())
            throw LimitExceeded{mark, u"an alias refers to the node that contains it"_s};
        count(mark, target->m_data->weight);
        // A chain of anchors, each naming the one before, nests deeper than the text shows.
        if (int(m_stack.size()) + target->m_data->height > m_limits.maxDepth)
            throw LimitExceeded{mark, u"the document nests deeper than %1 levels through its "
                                      "aliases; it is refused"_s.arg(m_limits.maxDepth)};
        place(*target);
    }

    void OnScalar(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                  const std::string &value) override
    {
        auto data = newNode(Node::Kind::Scalar, mark);
        data->scalar = QString::fromStdString(value);
        add(std::move(data), anchor);
    }

    void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override
    {
        open(Node::Kind::Sequence, mark, anchor);
    }
    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override
    {
        open(Node::Kind::Map, mark, anchor);
    }
    void OnMapEnd() override { close(); }

private:
    struct Frame
    {
        std::shared_ptr<Node::Data> data;
        YAML::anchor_t anchor = 0;
        std::optional<Node> pendingKey; // of a mapping, until its value arrives
    };

    std::shared_ptr<Node::Data> newNode(Node::Kind kind, const YAML::Mark &mark)
    {
        count(mark, 1);
        auto data = std::make_shared<Node::Data>();
        data->kind = kind;
        if (mark.line >= 0) {
            data->line = mark.line + 1;
            data->column = mark.column + 1;
        }
        return data;
    }

    void count(const YAML::Mark &mark, qsizetype nodes)
    {
        m_expanded += nodes;
        if (m_expanded > m_limits.maxNodes)
            throw LimitExceeded{mark,
                                u"the document expands to more than %1 nodes (are aliases "
                                "repeating a large list?); it is refused"_s.arg(m_limits.maxNodes)};
    }

    void add(std::shared_ptr<Node::Data> data, YAML::anchor_t anchor)
    {
        const Node node(std::move(data));
        if (anchor)
            m_anchors.insert(anchor, node);
        place(node);
    }

    /** Hands a finished node to the collection being built, or makes it the root. */
    void place(const Node &node)
    {
        if (m_stack.empty()) {
            root = node;
            return;
        }
        Frame &parent = m_stack.back();
        parent.data->weight += node.m_data->weight;
        parent.data->height = std::max(parent.data->height, node.m_data->height + 1);
        if (parent.data->kind == Node::Kind::Sequence) {
            parent.data->items.append(node);
        } else if (!parent.pendingKey) {
            parent.pendingKey = node;
        } else {
            parent.data->entries.append({*parent.pendingKey, node});
            parent.pendingKey.reset();
        }
    }

    void open(Node::Kind kind, const YAML::Mark &mark, YAML::anchor_t anchor)
    {
        if (int(m_stack.size()) >= m_limits.maxDepth)
            throw LimitExceeded{mark,
                                u"the document nests deeper than %1 levels; it is refused"_s.arg(
                                    m_limits.maxDepth)};
        m_stack.push_back({newNode(kind, mark), anchor, std::nullopt});
    }

    void close()
    {
        Frame frame = std::move(m_stack.back());
        m_stack.pop_back();
        // Anchored only now: an alias inside its own node would make the tree a cycle.
        add(std::move(frame.data), frame.anchor);
    }

    const Limits &m_limits;
    std::vector<Frame> m_stack;
    QHash<YAML::anchor_t, Node> m_anchors;
    qsizetype m_expanded = 0;
};

Document parse(const QByteArray &text, const Limits &limits)
{
    Document document;
    const auto fail = [&](const YAML::Mark &mark, const QString &message, bool tooLarge) {
        ParseError error;
        if (mark.line >= 0) {
            error.line = mark.line + 1;
            error.column = mark.column + 1;
        }
        error.message = message;
        error.tooLarge = tooLarge;
        document.error = error;
    };
    try {
        std::istringstream in(text.toStdString());
        YAML::Parser parser(in);
        TreeBuilder builder(limits);
        parser.HandleNextDocument(builder);
        document.root = builder.root;
    } catch (const LimitExceeded &e) {
        fail(e.mark, e.message, true);
    } catch (const YAML::Exception &e) {
        fail(e.mark, QString::fromStdString(e.msg), false);
    }
    return document;
}

} // namespace Portoser::Yaml
