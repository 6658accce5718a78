// A command string split into words the way a POSIX shell would split it,
// without running a shell: compose's `entrypoint` and `command` strings are
// read this way (no variables, globs or operators; quotes and backslashes only).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tend {

// Nothing for an unterminated quote or a trailing backslash.
std::optional<std::vector<std::string>> split_shell_words(std::string_view text);

}  // namespace tend
