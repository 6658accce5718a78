// The value syntax of a supervisord config, as supervisord's Python reads it:
// what `tend import` needs to carry a value over unchanged.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tend {

// One `%(name)FLAGSs` reference's value, formatted as Python's % operator would
// for the conversions supervisord configs use: s, and d/i with a width and a 0 flag.
std::string format_reference(const std::string& value, const std::string& spec);

// Python's shlex.split in POSIX mode, which supervisord uses for `command`: no
// shell runs it. Throws std::runtime_error on an unbalanced quote.
std::vector<std::string> split_command(const std::string& command);

// `KEY="value",KEY2=plain,KEY3='x'`, supervisord's environment= format. Throws
// std::runtime_error on an unbalanced quote or a name that is no variable name.
std::vector<std::pair<std::string, std::string>> split_environment(const std::string& text);

// supervisord's boolean: true, yes, on or 1, in any case.
bool truthy(const std::string& value);

}  // namespace tend
