// SPDX-License-Identifier: BSD-3-Clause
#include "xfrmpp/util/number.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>

namespace xfrmpp::util {
namespace {

template <typename T>
Error out_of_range(T min, T max) {
  return make_error(ERANGE, fmt::format("out of range ({} to {})", min, max));
}

Error not_a_number() { return make_error(EINVAL, "not a number"); }

}  // namespace

Result<uint64_t> parse_unsigned(std::string_view text, uint64_t max, NumberBase base) {
  int radix = 10;
  std::string_view digits = text;
  if (base == NumberBase::c_prefix && digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    radix = 16;
    digits.remove_prefix(2);
  } else if (base == NumberBase::c_prefix && digits.size() >= 2 && digits[0] == '0') {
    radix = 8;
    digits.remove_prefix(1);
  }
  // from_chars would take a '-' for signed types only, but be explicit: the text is digits and nothing else.
  if (digits.empty() || digits[0] == '-' || digits[0] == '+') return not_a_number();
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, radix);
  if (ec == std::errc::invalid_argument || end != digits.data() + digits.size()) return not_a_number();
  if (ec == std::errc::result_out_of_range || v > max) return out_of_range<uint64_t>(0, max);
  return v;
}

Result<int64_t> parse_signed(std::string_view text, int64_t min, int64_t max) {
  if (text.empty() || text[0] == '+') return not_a_number();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 10);
  if (ec == std::errc::invalid_argument || end != text.data() + text.size()) return not_a_number();
  if (ec == std::errc::result_out_of_range || v < min || v > max) return out_of_range<int64_t>(min, max);
  return v;
}

}  // namespace xfrmpp::util
