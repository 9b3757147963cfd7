// SPDX-License-Identifier: Apache-2.0
#include "core/history/DeploymentRecord.h"

#include <array>
#include <utility>

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

namespace {

// The one name table of each enum: JSON, SQL and text use these names, nothing else.
const std::array<std::pair<Outcome, QStringView>, 7> OutcomeNames = {{
    {Outcome::Running, u"running"},
    {Outcome::Succeeded, u"succeeded"},
    {Outcome::Failed, u"failed"},
    {Outcome::RolledBack, u"rolled_back"},
    {Outcome::Interrupted, u"interrupted"},
    {Outcome::Skipped, u"skipped"},
    {Outcome::Cancelled, u"cancelled"},
}};

const std::array<std::pair<RecordAction, QStringView>, 6> ActionNames = {{
    {RecordAction::Deploy, u"deploy"},
    {RecordAction::Move, u"move"},
    {RecordAction::Restart, u"restart"},
    {RecordAction::Start, u"start"},
    {RecordAction::Stop, u"stop"},
    {RecordAction::Rollback, u"rollback"},
}};

template <typename Enum, size_t N>
QString nameOf(const std::array<std::pair<Enum, QStringView>, N> &table, Enum value)
{
    for (const auto &[v, name] : table) {
        if (v == value)
            return name.toString();
    }
    return {};
}

template <typename Enum, size_t N>
std::optional<Enum> valueOf(const std::array<std::pair<Enum, QStringView>, N> &table,
                            QStringView name)
{
    for (const auto &[v, n] : table) {
        if (n == name)
            return v;
    }
    return std::nullopt;
}

} // namespace

QString toString(Outcome outcome)
{
    return nameOf(OutcomeNames, outcome);
}

std::optional<Outcome> outcomeFromString(QStringView name)
{
    return valueOf(OutcomeNames, name);
}

QStringList outcomeNames()
{
    QStringList names;
    for (const auto &[v, name] : OutcomeNames)
        names.append(name.toString());
    return names;
}

QString toString(RecordAction action)
{
    return nameOf(ActionNames, action);
}

std::optional<RecordAction> recordActionFromString(QStringView name)
{
    return valueOf(ActionNames, name);
}

} // namespace Portoser
