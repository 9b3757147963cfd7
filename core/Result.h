// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace Portoser {

enum class ErrorCode {
    Failed,
    NotFound,
    ParseError,
    InvalidInput,
    Unreachable,
    Timeout,
    Conflict,
    PermissionDenied,
};

/** A failure a user can act on: `message` is translated and shown, `detail` goes to logs. */
struct Error
{
    Error() = default;
    Error(ErrorCode c, QString m, QString d = {})
        : code(c)
        , message(std::move(m))
        , detail(std::move(d))
    {}

    ErrorCode code = ErrorCode::Failed;
    QString message;
    QString detail;
};

/** Either a value or an Error; core's public functions return this instead of throwing. */
template <typename T>
class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_state(std::move(value))
    {}
    Result(Error error)
        : m_state(std::move(error))
    {}

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    T &value() { return std::get<T>(m_state); }
    const T &value() const { return std::get<T>(m_state); }
    T &operator*() { return value(); }
    const T &operator*() const { return value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }

    const Error &error() const { return std::get<Error>(m_state); }

private:
    std::variant<T, Error> m_state;
};

template <>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
        , m_ok(false)
    {}

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error &error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

} // namespace Portoser
