// SPDX-License-Identifier: Apache-2.0
#include "core/registry/Interpolator.h"

#include <QProcessEnvironment>

#include <algorithm>

namespace Portoser {

namespace {

bool isNameStart(QChar c)
{
    return c == u'_' || (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z');
}

bool isNameChar(QChar c)
{
    return isNameStart(c) || (c >= u'0' && c <= u'9');
}

} // namespace

Interpolator::Interpolator(Lookup lookup)
    : m_lookup(std::move(lookup))
{}

Interpolator::Lookup Interpolator::processEnvironment()
{
    return [env = QProcessEnvironment::systemEnvironment()](const QString &name) {
        return env.contains(name) ? std::optional<QString>(env.value(name)) : std::nullopt;
    };
}

Interpolator::Outcome Interpolator::expand(const QString &raw) const
{
    Outcome out;
    if (!raw.contains(u'$')) {
        out.text = raw;
        return out;
    }
    out.text.reserve(raw.size());
    const qsizetype n = raw.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = raw.at(i);
        if (c != u'$' || i + 1 >= n) {
            out.text += c;
            continue;
        }
        const QChar next = raw.at(i + 1);
        if (next == u'$') {
            out.text += u'$';
            ++i;
            continue;
        }
        if (next != u'{') {
            out.text += c;
            continue;
        }
        const qsizetype close = raw.indexOf(u'}', i + 2);
        if (close < 0) {
            out.problems.append({i, QStringLiteral("unterminated \"${\": add the closing \"}\"")});
            out.text += raw.mid(i);
            return out;
        }
        const QString body = raw.mid(i + 2, close - i - 2);
        const qsizetype sep = body.indexOf(QStringLiteral(":-"));
        const QString name = sep < 0 ? body : body.left(sep);
        const bool validName = !name.isEmpty() && isNameStart(name.front())
                               && std::all_of(name.begin(), name.end(), isNameChar);
        if (!validName) {
            out.problems.append(
                {i, QStringLiteral("\"${%1}\" is not a valid variable reference").arg(body)});
        } else if (const auto value = m_lookup(name); value && !(sep >= 0 && value->isEmpty())) {
            out.text += *value; // like sh, ":-" also replaces an empty value
        } else if (sep >= 0) {
            out.text += body.mid(sep + 2);
        } else {
            out.problems.append(
                {i, QStringLiteral("environment variable %1 is not set and has no default "
                                   "(write ${%1:-default} to give one)")
                        .arg(name)});
        }
        i = close;
    }
    return out;
}

} // namespace Portoser
