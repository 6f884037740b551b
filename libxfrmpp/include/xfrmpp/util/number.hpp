// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// The one checked number parser for untrusted text (tables, records, command-line values): the whole
// text must be the number, and overflow is an error, never a wrap or an exception.
#include <cstdint>
#include <string_view>

#include "xfrmpp/diag/result.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::util {

enum class NumberBase : uint8_t {
  decimal,   ///< digits only
  c_prefix,  ///< as strtoul(s, 0): 0x/0X hexadecimal, a leading 0 octal, else decimal
};

/// Parses all of `text` as an unsigned number in [0, max]. No sign, no blanks. Errors: EINVAL
/// ("not a number") or ERANGE ("out of range (0 to MAX)"); the caller names what it was reading.
Result<uint64_t> parse_unsigned(std::string_view text, uint64_t max = UINT64_MAX, NumberBase base = NumberBase::decimal);

/// Parses all of `text` as a decimal integer in [min, max], with an optional leading '-'. Errors as above.
Result<int64_t> parse_signed(std::string_view text, int64_t min = INT64_MIN, int64_t max = INT64_MAX);

}  // namespace xfrmpp::util

#pragma GCC visibility pop
