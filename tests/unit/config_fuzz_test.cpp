// Seeded, deterministic fuzzing of the config's text parsers: the env file
// parser, ${VAR} interpolation and YAML merge keys. Each case mutates a small
// corpus of valid inputs a few thousand times and checks that every input is
// answered (a value or the parser's own error, never a crash or another
// exception), quickly, and that invariants hold. The libFuzzer targets in
// tests/fuzz explore further; these run with every unit test run.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tend/config/env_file.hpp"
#include "tend/config/interpolation.hpp"
#include "tend/config/yaml_document.hpp"

namespace unit_config_fuzz_test {

using namespace tend;

namespace {

// std::mt19937's sequence is fixed by the standard; distributions are not, so none are used.
class Mutator {
public:
    Mutator(std::uint32_t seed, std::string alphabet) : rng_(seed), alphabet_(std::move(alphabet)) {}

    std::size_t below(std::size_t n) { return n == 0 ? 0 : rng_() % n; }

    std::string mutate(std::string text, const std::vector<std::string>& corpus) {
        for (std::size_t n = 1 + below(4); n > 0; --n) text = mutate_once(std::move(text), corpus);
        return text;
    }

private:
    std::string mutate_once(std::string text, const std::vector<std::string>& corpus) {
        const std::size_t at = below(text.size() + 1);
        switch (below(6)) {
            case 0: return text.insert(at, 1, alphabet_[below(alphabet_.size())]);
            case 1: return text.erase(at, below(8));
            case 2: return text.insert(at, text.substr(below(text.size() + 1), below(16)));  // a slice again
            case 3: {
                const std::string& other = corpus[below(corpus.size())];
                return text.substr(0, at) + other.substr(below(other.size() + 1));  // splice
            }
            case 4:
                if (!text.empty()) text[below(text.size())] = static_cast<char>(rng_() & 0xff);
                return text;
            default: return text.insert(at, corpus[below(corpus.size())]);
        }
    }

    std::mt19937 rng_;
    std::string alphabet_;
};

using Clock = std::chrono::steady_clock;

// Generous against a sanitizer build on a loaded machine; a quadratic path
// on these small inputs would still show.
constexpr auto kPerInput = std::chrono::milliseconds(100);

template <typename F>
void within_bound(const std::string& input, F&& f) {
    const auto start = Clock::now();
    f();
    const auto took = Clock::now() - start;
    if (took > kPerInput) FAIL_CHECK("took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                                             << " ms: " << input);
}

std::optional<std::string> fuzz_variable(std::string_view name) {
    static const std::map<std::string, std::string, std::less<>> variables = {
        {"A", "alpha"}, {"EMPTY", ""}, {"DOLLAR", "$X ${A}"}, {"LONG", std::string(1000, 'l')}};
    if (auto it = variables.find(name); it != variables.end()) return it->second;
    return std::nullopt;
}

std::string escape_dollars(std::string_view text) {
    std::string out;
    for (char c : text) out += c == '$' ? std::string("$$") : std::string(1, c);
    return out;
}

}  // namespace

TEST_CASE("fuzz: interpolation answers every input quickly; text without $ and escaped text come back unchanged") {
    const std::vector<std::string> corpus = {
        "${A}", "${A:-d}", "${NOPE-x}", "${A:?m}", "${NOPE?msg}", "${A:+alt}", "${A+alt}", "$$", "$${A}",
        "x ${NOPE:-${A:-${EMPTY}}} y", "--port=${PORT:-8080}", "$A plain", "${LONG}${LONG}", "}{:-?+"};
    Mutator m(22, "${}:-?+$ A_\\\"'\n");
    for (int i = 0; i < 6000; ++i) {
        const std::string input = m.mutate(corpus[m.below(corpus.size())], corpus);
        for (const InterpolationRules& rules : {InterpolationRules{}, InterpolationRules{true, false, 4096}}) {
            within_bound(input, [&] {
                try {
                    const std::string out = interpolate(input, fuzz_variable, rules);
                    CHECK(out.size() <= rules.max_length);
                    if (!has_interpolation(input, rules)) CHECK(out == input);
                } catch (const InterpolationError& e) {
                    CHECK(e.offset() <= input.size());
                    CHECK(has_interpolation(input, rules));
                }
            });
        }
        if (input.find('$') == std::string::npos) CHECK(interpolate(input, fuzz_variable) == input);
        if (input.size() < 4096) CHECK(interpolate(escape_dollars(input), fuzz_variable) == input);
    }
}

namespace {

// A value in double quotes, escaped so that it reads back as itself.
std::string double_quoted(const std::string& value) {
    std::string out = "\"";
    for (char c : value) {
        if (c == '\\' || c == '"' || c == '$') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::map<std::string, std::string> random_env(Mutator& m) {
    static const std::string first = "ABCxyz_", rest = "ABCxyz_019";
    std::map<std::string, std::string> env;
    for (std::size_t n = m.below(6); n > 0; --n) {
        std::string key(1, first[m.below(first.size())]);
        for (std::size_t k = m.below(6); k > 0; --k) key += rest[m.below(rest.size())];
        std::string value;
        for (std::size_t k = m.below(12); k > 0; --k) value += static_cast<char>(1 + m.below(255));  // no NUL
        env[key] = value;
    }
    return env;
}

std::string render(const std::map<std::string, std::string>& env, Mutator& m) {
    std::string text = m.below(2) ? "# generated\n" : "";
    for (const auto& [key, value] : env) {
        if (m.below(3) == 0) text += "export ";
        text += key + "=" + double_quoted(value) + (m.below(2) ? "  # note\n" : "\n");
    }
    return text;
}

}  // namespace

TEST_CASE("fuzz: the env file parser answers every input quickly, and parse(render(env)) gives env back") {
    const std::vector<std::string> corpus = {
        "A=1\n", "export B='x y'\n", "C=\"tab\\there\" # c\n", "# only a comment\n", "D\n", "E=${A:-d}-$A\n",
        "F=\"multi\nline\"\n", "G = spaced \n", "H:colon\n", "I='it\\'s'\n", "J=a #not a comment? yes\n"};
    Mutator m(21, "=#'\"\\$ {}:-\nexportAB_\t\r");
    for (int i = 0; i < 4000; ++i) {
        const std::string input = m.mutate(corpus[m.below(corpus.size())], corpus);
        within_bound(input, [&] {
            try {
                for (const auto& [key, value] : parse_env_file(input, fuzz_variable)) {
                    CHECK_FALSE(key.empty());
                    CHECK(value.find('\0') == std::string::npos);
                }
            } catch (const EnvFileError& e) {
                CHECK(e.line() >= 1);
                CHECK(e.line() <= 1 + static_cast<int>(std::count(input.begin(), input.end(), '\n')));
            }
        });
    }
    for (int i = 0; i < 1500; ++i) {
        const auto env = random_env(m);
        const std::string text = render(env, m);
        CHECK_MESSAGE(parse_env_file(text, fuzz_variable) == env, text);
    }
}

namespace {

// Nodes a walk through aliases visits, stopping past `cap`; and whether a merge key is left.
std::size_t walk(const YAML::Node& node, std::size_t cap, bool& merge_key_left, std::size_t seen = 0) {
    if (++seen > cap) return seen;
    if (node.IsSequence()) {
        for (const auto& item : node) seen = walk(item, cap, merge_key_left, seen);
    } else if (node.IsMap()) {
        for (const auto& entry : node) {
            if (entry.first.IsScalar() && entry.first.Scalar() == "<<" && entry.first.Tag() == "?") merge_key_left = true;
            seen = walk(entry.second, cap, merge_key_left, seen);
        }
    }
    return seen;
}

}  // namespace

TEST_CASE("fuzz: merge keys are resolved or refused quickly, never past the loader's node bound") {
    const std::vector<std::string> corpus = {
        "base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  b: 3\n",
        "a: &a {k: 1}\nb: &b {k: 2, l: 3}\nc:\n  <<: [*a, *b]\n",
        "l: &l [1, 2, &m {x: 1}]\nm: {<<: *m, y: [*l, *l]}\n",
        "x: &x {<<: {p: 1}, q: 2}\ny: {<<: *x}\nz: {<<: [*x, *x]}\n",
        "\"<<\": quoted\nk: {\"<<\": *nothing}\n"};
    Mutator m(23, "&*<:{}[], \n-ab");
    for (int i = 0; i < 1200; ++i) {
        const std::string input = m.mutate(corpus[m.below(corpus.size())], corpus);
        within_bound(input, [&] {
            YamlReader reader("t.yaml");
            const auto root = load_one_document(reader, input);
            if (!root) {
                CHECK(reader.error_count() > 0);
                return;
            }
            const std::size_t bound = 100'000 + 2 * input.size();  // the loader's (yaml_document.cpp)
            bool merge_key_left = false;
            CHECK(walk(*root, bound, merge_key_left) <= bound);
            if (reader.error_count() == 0) CHECK_FALSE(merge_key_left);
        });
    }
}

}  // namespace unit_config_fuzz_test
