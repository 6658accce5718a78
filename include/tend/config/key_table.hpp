// Lookups over a key registry (service_keys, setting_keys): a table of rows,
// each starting with `const char* key`. Built once, on first use, per table type.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tend {

// The rows' keys, in the table's order (for check_keys and its did-you-mean).
template <class Row>
std::span<const std::string> key_names(std::span<const Row> rows) {
    static const std::vector<std::string> names = [rows] {
        std::vector<std::string> out;
        for (const Row& row : rows) out.emplace_back(row.key);
        return out;
    }();
    return names;
}

// The row of `key`, or nullptr.
template <class Row>
const Row* find_key(std::span<const Row> rows, std::string_view key) {
    static const std::unordered_map<std::string_view, const Row*> by_key = [rows] {
        std::unordered_map<std::string_view, const Row*> out;
        for (const Row& row : rows) out.emplace(row.key, &row);
        return out;
    }();
    auto it = by_key.find(key);
    return it == by_key.end() ? nullptr : it->second;
}

}  // namespace tend
