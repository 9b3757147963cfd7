// SPDX-License-Identifier: Apache-2.0
#include "core/ErrorCodes.h"

namespace Portoser {

using namespace Qt::Literals::StringLiterals;

QString errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::NotFound:
        return u"not_found"_s;
    case ErrorCode::ParseError:
        return u"parse_error"_s;
    case ErrorCode::InvalidInput:
        return u"invalid_input"_s;
    case ErrorCode::Conflict:
        return u"conflict"_s;
    case ErrorCode::PermissionDenied:
        return u"forbidden"_s;
    case ErrorCode::Unreachable:
        return u"unreachable"_s;
    case ErrorCode::Timeout:
        return u"timeout"_s;
    case ErrorCode::Failed:
        return u"failed"_s;
    }
    return u"failed"_s;
}

} // namespace Portoser
