// The layers of src/meson.build, checked on the includes: the link-time check
// catches a call into a higher area, but an include of a higher area's header
// (an inline function, a type, a constant) links fine and still couples the two.
// TEND_LAYERS is the area list of src/meson.build, "area:lower,lower;...".
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace unit_include_layers_test {

namespace {

namespace fs = std::filesystem;

using Layers = std::map<std::string, std::set<std::string>>;  // area -> the areas it may include (itself too)

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, separator))
        if (!item.empty()) out.push_back(item);
    return out;
}

// Each area may use the areas it lists and, through them, theirs: the closure,
// as the static libraries link.
Layers layers_from(const std::string& spec) {
    Layers direct;
    for (const std::string& entry : split(spec, ';')) {
        const auto colon = entry.find(':');
        const std::string area = entry.substr(0, colon);
        direct[area].insert(area);
        if (colon != std::string::npos)
            for (const std::string& lower : split(entry.substr(colon + 1), ',')) direct[area].insert(lower);
    }
    Layers closed = direct;
    for (bool grew = true; grew;) {
        grew = false;
        for (auto& [area, allowed] : closed)
            for (const std::string& lower : std::set<std::string>(allowed))
                for (const std::string& further : closed[lower]) grew = allowed.insert(further).second || grew;
    }
    return closed;
}

// The programs' mains sit above every area.
Layers with_programs(Layers layers) {
    std::set<std::string> all;
    for (const auto& [area, allowed] : layers) all.insert(area);
    layers["tend"] = layers["tendctl"] = all;
    return layers;
}

// "file:line: area includes tend/higher/x.hpp" for each include the area may not use.
std::vector<std::string> violations(const Layers& layers, const std::string& area, const std::string& name,
                                    std::istream& text) {
    std::vector<std::string> out;
    auto allowed = layers.find(area);
    if (allowed == layers.end()) return {name + ": area '" + area + "' is not in src/meson.build's list"};
    std::string line;
    for (int number = 1; std::getline(text, line); ++number) {
        const auto start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line.compare(start, 8, "#include") != 0) continue;
        const auto open = line.find_first_of("\"<", start + 8);
        if (open == std::string::npos || line.compare(open + 1, 5, "tend/") != 0) continue;
        const auto slash = line.find('/', open + 6);
        const std::string target = line.substr(open + 6, slash - (open + 6));
        if (!allowed->second.contains(target))
            out.push_back(name + ":" + std::to_string(number) + ": " + area + " includes " +
                          line.substr(open + 1, line.find_first_of("\">", open + 1) - open - 1));
    }
    return out;
}

// Every source and header under src/ and include/tend/, with its area (the folder below them).
std::vector<std::pair<fs::path, std::string>> files_by_area(const fs::path& root) {
    std::vector<std::pair<fs::path, std::string>> out;
    for (const fs::path& top : {root / "src", root / "include" / "tend"})
        for (const auto& entry : fs::recursive_directory_iterator(top)) {
            const fs::path& path = entry.path();
            if (!entry.is_regular_file() || (path.extension() != ".cpp" && path.extension() != ".hpp")) continue;
            out.emplace_back(path, path.lexically_relative(top).begin()->string());
        }
    return out;
}

}  // namespace

TEST_CASE("every #include of a tend header names the file's own area or one below it in src/meson.build") {
    const Layers layers = with_programs(layers_from(TEND_LAYERS));
    const auto files = files_by_area(TEND_SOURCE_DIR);
    CHECK(files.size() > 100);
    std::vector<std::string> found;
    for (const auto& [path, area] : files) {
        std::ifstream text(path);
        REQUIRE(text);
        for (std::string& v : violations(layers, area, path.lexically_relative(TEND_SOURCE_DIR).string(), text))
            found.push_back(std::move(v));
    }
    for (const std::string& violation : found) FAIL_CHECK(violation);
}

TEST_CASE("the include check names an upward include, allows what a lower area brings, and knows every area") {
    const Layers layers = with_programs(layers_from("util:;process:util;config:process;supervisor:config"));
    std::istringstream text(
        "#include <string>\n"
        "#include \"tend/util/duration.hpp\"\n"
        "  #include \"tend/supervisor/supervisor.hpp\"\n"
        "#include <tend/supervisor/service.hpp>\n");
    CHECK(violations(layers, "config", "src/config/x.cpp", text) ==
          std::vector<std::string>{"src/config/x.cpp:3: config includes tend/supervisor/supervisor.hpp",
                                   "src/config/x.cpp:4: config includes tend/supervisor/service.hpp"});
    std::istringstream top("#include \"tend/supervisor/supervisor.hpp\"\n");
    CHECK(violations(layers, "tend", "src/tend/main.cpp", top).empty());
    std::istringstream any("");
    CHECK(violations(layers, "web", "src/web/x.cpp", any) ==
          std::vector<std::string>{"src/web/x.cpp: area 'web' is not in src/meson.build's list"});
}

}  // namespace unit_include_layers_test
