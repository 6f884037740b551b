// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Replacing small state files so that a crash or a concurrent reader sees the old or the new content,
// never a partial file.
#include <filesystem>
#include <string_view>

#include "xfrmpp/diag/result.hpp"

#pragma GCC visibility push(default)

namespace xfrmpp::util {

/// Writes `data` to a new temporary file beside `path` (created exclusively with `mode`, less the umask;
/// no symlink followed), syncs it, renames it over `path` (a symlink there is replaced, not followed) and
/// syncs the directory. On failure the temporary file is removed and `path` is untouched.
Result<void> replace_file_atomically(const std::filesystem::path& path, std::string_view data, unsigned mode = 0644);

}  // namespace xfrmpp::util

#pragma GCC visibility pop
