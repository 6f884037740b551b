// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Exhaustive visitors over model::Operation: std::visit(Overloaded{[](const model::AddPolicy&) {...}, ...}, op)
// with one lambda per alternative and no catch-all `auto` lambda. An operation added to the variant and
// not handled then leaves std::visit without a viable overload, and the build fails at every visitor
// that has to decide what to do with it (tests/plan checks that it does).

#pragma GCC visibility push(default)

namespace xfrmpp::model {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

/// For an `if constexpr` chain over the alternatives, whose last branch must be
/// `else static_assert(kUnhandled<T>, "...")` so that a new alternative stops the build there too.
template <class>
inline constexpr bool kUnhandled = false;

}  // namespace xfrmpp::model

#pragma GCC visibility pop
