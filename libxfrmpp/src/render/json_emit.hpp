// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Policies and SAs written straight as JSON text, for dumps of a million entries: building an nlohmann
// document per entry and printing it took three times as long as the whole text dump. The text is what
// json_text(to_json(x), 2) gives for the same entry nested `depth` levels deep, byte for byte (members in
// nlohmann's sorted order, its escapes); tests/unit/parsers/json_stream_test.cpp compares the two.
#include <cstddef>
#include <string>

#include "xfrmpp/render/json.hpp"

namespace xfrmpp::render::emit {

void policy(std::string& out, const model::Policy& p, size_t depth);
void sa(std::string& out, const model::SecurityAssociation& sa, const JsonOptions& options, size_t depth);

}  // namespace xfrmpp::render::emit
