// SPDX-License-Identifier: BSD-3-Clause
#pragma once
#include <filesystem>

/// Writes engine_packet_fuzz's seeds into `corpus`; how many, or -1 (after a message) on failure.
int write_packet_seeds(const std::filesystem::path& corpus);
