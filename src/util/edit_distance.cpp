#include "tend/util/edit_distance.hpp"

#include <algorithm>
#include <vector>

namespace tend {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::optional<std::string> closest_match(std::string_view word, std::span<const std::string> candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = 0;
    // A third of the word's length, at least 1 and at most 3 edits: close enough to be a typo.
    const std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
    for (const auto& candidate : candidates) {
        // The distance is at least the difference in length: skip those that cannot be close,
        // so a long word against many names stays cheap.
        std::size_t gap = word.size() > candidate.size() ? word.size() - candidate.size() : candidate.size() - word.size();
        if (gap > limit) continue;
        std::size_t d = edit_distance(word, candidate);
        if (!best || d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    if (best && best_distance <= limit) return best;
    return std::nullopt;
}

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
    auto match = closest_match(word, candidates);
    return match ? " (did you mean '" + *match + "'?)" : "";
}

}  // namespace tend
