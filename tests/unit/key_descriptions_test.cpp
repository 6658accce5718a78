#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tend/cli/key_descriptions.hpp"
#include "tend/config/compose_keys.hpp"
#include "tend/config/probe_parser.hpp"
#include "tend/config/service_keys.hpp"

namespace unit_key_descriptions_test {

using namespace tend;

namespace {

std::string configuration_md() {
    std::ifstream file(std::string(TEND_SOURCE_DIR) + "/docs/configuration.md");
    REQUIRE(file);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// A table cell as a reader sees it: no backticks, links as their text, `\|` as `|`; its first sentence.
std::string first_sentence(const std::string& cell) {
    std::string plain;
    for (std::size_t i = 0; i < cell.size(); ++i) {
        if (cell[i] == '`') continue;
        if (cell[i] == '\\' && i + 1 < cell.size() && cell[i + 1] == '|') continue;
        if (cell[i] == '[') {  // a link [text](target) reads as its text
            std::size_t close = cell.find(']', i);
            if (close != std::string::npos && close + 1 < cell.size() && cell[close + 1] == '(' &&
                cell.find(')', close) != std::string::npos) {
                plain += cell.substr(i + 1, close - i - 1);
                i = cell.find(')', close);
                continue;
            }
        }
        plain += cell[i];
    }
    std::size_t end = plain.find(". ");
    return end == std::string::npos ? plain : plain.substr(0, end + 1);
}

// Key → first sentences of its rows, in the part of configuration.md between FROM and TO.
std::map<std::string, std::vector<std::string>> documented(const std::string& from, const std::string& to) {
    const std::string md = configuration_md();
    std::size_t begin = md.find(from), end = md.find(to, begin);
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    std::map<std::string, std::vector<std::string>> rows;
    std::istringstream lines(md.substr(begin, end - begin));
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("| `", 0) != 0) continue;
        std::vector<std::string> cells;
        std::string cell;
        for (std::size_t i = 1; i < line.size(); ++i) {
            if (line[i] == '|' && line[i - 1] != '\\') {
                cells.push_back(cell);
                cell.clear();
            } else {
                cell += line[i];
            }
        }
        std::string key = cells.front().substr(2, cells.front().find_first_not_of("abcdefghijklmnopqrstuvwxyz_", 2) - 2);
        std::string meaning = cells.back();
        meaning = meaning.substr(meaning.find_first_not_of(' '));
        meaning = meaning.substr(0, meaning.find_last_not_of(' ') + 1);
        rows[key].push_back(first_sentence(meaning));
    }
    return rows;
}

void check_table(std::string_view table, std::span<const std::string> keys,
                 const std::map<std::string, std::vector<std::string>>& docs) {
    for (const std::string& key : keys) {
        INFO(table, ".", key);
        std::string_view text = key_description(table, key);
        CHECK(!text.empty());
        auto row = docs.find(key);
        if (row != docs.end() && row->second.size() == 1) CHECK(text == row->second.front());
    }
}

}  // namespace

TEST_CASE("every service key has a description, the first sentence of its row in docs/configuration.md") {
    auto docs = documented("## services\n", "### docker-compose");
    CHECK(docs.size() >= 30);
    check_table("services", service_key_names(), docs);
}

TEST_CASE("every key of ready, health and healthcheck has a description") {
    check_table("ready", ready_key_names(), documented("### Readiness", "### Health"));
    check_table("health", health_key_names(), {});
    check_table("healthcheck", healthcheck_key_names(), {});
}

TEST_CASE("a description names a key the loader has: none is left over from a removed key") {
    for (const KeyDescription& d : key_descriptions()) {
        INFO(d.table, ".", d.key);
        std::span<const std::string> keys = d.table == "services" ? service_key_names()
                                             : d.table == "ready" ? ready_key_names()
                                             : d.table == "health" ? health_key_names()
                                                                   : healthcheck_key_names();
        // replicas and deploy are read before the registry's keys (config/replicas).
        bool replica_key = d.table == "services" && (d.key == "replicas" || d.key == "deploy");
        CHECK((replica_key || std::find(keys.begin(), keys.end(), std::string(d.key)) != keys.end()));
    }
}

}  // namespace unit_key_descriptions_test
