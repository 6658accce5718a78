// "Did you mean …?" for misspelt keys, service names and commands.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tend {

std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a plausible typo.
std::optional<std::string> closest_match(std::string_view word, std::span<const std::string> candidates);

// ", did you mean 'x'?" style suffix, or "" when nothing is close.
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

}  // namespace tend
