// SPDX-License-Identifier: Apache-2.0
#include "core/registry/FieldRules.h"

#include <QHostAddress>
#include <QRegularExpression>

namespace Portoser::FieldRules {

namespace {

using namespace Qt::Literals::StringLiterals;

// Shell metacharacters and quoting characters; none may appear in a name, user or path.
constexpr QStringView ShellSpecial = u";&|$`<>(){}[]*?!\"'\\#%^";

std::optional<QString> checkControl(const QString &value)
{
    for (const QChar c : value) {
        if (c == u'\0')
            return u"contains a NUL byte"_s;
        if (c == u'\n' || c == u'\r')
            return u"contains a line break"_s;
        if (c.category() == QChar::Other_Control)
            return u"contains a control character"_s;
    }
    return std::nullopt;
}

QString printable(const QString &value)
{
    QString out;
    for (const QChar c : value) {
        if (c == u'\0')
            out += u"\\0"_s;
        else if (c == u'\n')
            out += u"\\n"_s;
        else if (c == u'\r')
            out += u"\\r"_s;
        else
            out += c;
    }
    return out;
}

} // namespace

QString describeForbidden(const QString &value)
{
    QString found;
    for (const QChar c : value) {
        if (ShellSpecial.contains(c) && !found.contains(c))
            found += c;
    }
    return found;
}

std::optional<QString> checkName(const QString &value)
{
    if (value.isEmpty())
        return u"is empty"_s;
    if (auto bad = checkControl(value))
        return bad;
    static const QRegularExpression re(u"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"_s);
    if (value.contains(u".."_s))
        return u"\"%1\" contains \"..\""_s.arg(printable(value));
    if (!re.match(value).hasMatch()) {
        const QString special = describeForbidden(value);
        if (!special.isEmpty())
            return u"\"%1\" contains shell metacharacters (%2); names may use letters, digits, '.', '_' and '-'"_s
                .arg(printable(value), special);
        return u"\"%1\" is not a valid name: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"_s
            .arg(printable(value));
    }
    return std::nullopt;
}

std::optional<QString> checkUser(const QString &value)
{
    if (value.isEmpty())
        return u"is empty"_s;
    if (auto bad = checkControl(value))
        return bad;
    static const QRegularExpression re(u"^[A-Za-z_][A-Za-z0-9._-]{0,31}$"_s);
    if (!re.match(value).hasMatch() || value.contains(u".."_s)) {
        const QString special = describeForbidden(value);
        return u"\"%1\" is not a valid user name%2"_s.arg(
            printable(value),
            special.isEmpty() ? QString() : u" (shell metacharacters: %1)"_s.arg(special));
    }
    return std::nullopt;
}

std::optional<QString> checkPath(const QString &value)
{
    if (value.isEmpty())
        return u"is empty"_s;
    if (auto bad = checkControl(value))
        return bad;
    const QString special = describeForbidden(value);
    if (!special.isEmpty())
        return u"\"%1\" contains shell metacharacters (%2)"_s.arg(printable(value), special);
    if (value.indexOf(u'~') > 0
        || (value.startsWith(u'~') && value != u"~"_s && !value.startsWith(u"~/"_s)))
        return u"\"%1\": '~' is only allowed as a leading \"~/\""_s.arg(value);
    for (const QString &part : value.split(u'/')) {
        if (part == u".."_s)
            return u"\"%1\" contains a \"..\" component"_s.arg(value);
    }
    if (value.startsWith(u'-'))
        return u"\"%1\" starts with '-', which commands would read as an option"_s.arg(value);
    return std::nullopt;
}

std::optional<QString> checkHostname(const QString &value)
{
    if (value.isEmpty())
        return u"is empty"_s;
    if (auto bad = checkControl(value))
        return bad;
    static const QRegularExpression re(
        uR"(^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$)"_s);
    if (value.size() > 253 || !re.match(value).hasMatch())
        return u"\"%1\" is not a valid host name"_s.arg(printable(value));
    return std::nullopt;
}

std::optional<QString> checkAddress(const QString &value)
{
    if (value.isEmpty())
        return u"is empty"_s;
    if (auto bad = checkControl(value))
        return bad;
    static const QRegularExpression dottedNumbers(u"^[0-9.]+$"_s);
    const bool looksLikeIpv4 = dottedNumbers.match(value).hasMatch();
    const bool looksLikeIpv6 = value.contains(u':');
    if (looksLikeIpv4 || looksLikeIpv6) {
        QHostAddress address;
        if (!address.setAddress(value)
            || (looksLikeIpv4 && address.protocol() != QAbstractSocket::IPv4Protocol)
            || (looksLikeIpv4 && value.count(u'.') != 3))
            return u"\"%1\" is not a valid IP address"_s.arg(printable(value));
        return std::nullopt;
    }
    if (auto bad = checkHostname(value))
        return u"\"%1\" is neither an IP address nor a valid host name"_s.arg(printable(value));
    return std::nullopt;
}

std::optional<QString> checkPort(const QString &value)
{
    bool ok = false;
    const int port = value.trimmed().toInt(&ok);
    if (!ok)
        return u"\"%1\" is not a number; a port is 1-65535"_s.arg(printable(value));
    if (port < 1 || port > 65535)
        return u"%1 is out of range; a port is 1-65535"_s.arg(port);
    return std::nullopt;
}

std::optional<QString> checkEnvName(const QString &value)
{
    static const QRegularExpression re(u"^[A-Za-z_][A-Za-z0-9_]*$"_s);
    if (!re.match(value).hasMatch())
        return u"\"%1\" is not a valid environment variable name"_s.arg(printable(value));
    return std::nullopt;
}

std::optional<qint64> parseDuration(const QString &text, qint64 maxSeconds)
{
    QString t = text.trimmed();
    qint64 unit = 1;
    if (t.endsWith(QLatin1String("ms")))
        return std::nullopt;
    if (t.endsWith(u's'))
        t.chop(1);
    else if (t.endsWith(u'm'))
        unit = 60, t.chop(1);
    else if (t.endsWith(u'h'))
        unit = 3600, t.chop(1);
    else if (t.endsWith(u'd'))
        unit = 86400, t.chop(1);
    bool ok = false;
    const qint64 value = t.toLongLong(&ok);
    if (!ok || value < 0 || value > maxSeconds / unit)
        return std::nullopt;
    return value * unit;
}

} // namespace Portoser::FieldRules
