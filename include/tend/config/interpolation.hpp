// Compose's ${VAR} interpolation of one string: ${VAR}, ${VAR:-default},
// ${VAR-default}, ${VAR:?message}, ${VAR?message}, ${VAR:+alt}, ${VAR+alt},
// nested in each other's words, and $$ for a literal $. Bounded in depth and
// in the length of what it makes, since a config is input PID 1 must survive.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tend {

// A variable's value, or nullopt when it is not set.
using VariableLookup = std::function<std::optional<std::string>(std::string_view name)>;

// No value needs more than this: the kernel takes at most 128 KiB per argument or variable.
inline constexpr std::size_t kMaxInterpolatedValue = 1024 * 1024;
// ${A:-${B:-...}}: deeper than any config means it, shallow enough for any stack.
inline constexpr int kMaxInterpolationDepth = 16;

struct InterpolationRules {
    bool plain_names = false;     // $NAME too, as in env files; the config leaves it to the shell
    bool unset_is_error = true;   // ${NAME} unset: an error, or "" as compose's env files have it
    std::size_t max_length = kMaxInterpolatedValue;
};

// A refusal, at `offset` bytes into the text.
class InterpolationError : public std::runtime_error {
public:
    InterpolationError(std::size_t offset, const std::string& message) : std::runtime_error(message), offset_(offset) {}
    std::size_t offset() const { return offset_; }

private:
    std::size_t offset_;
};

// Whether `text` holds anything interpolate() would change or refuse.
bool has_interpolation(std::string_view text, const InterpolationRules& rules = {});

// `text` with its substitutions made; throws InterpolationError.
std::string interpolate(std::string_view text, const VariableLookup& lookup, const InterpolationRules& rules = {});

}  // namespace tend
