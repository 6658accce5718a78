#include <doctest/doctest.h>

#include "tend/util/shell_words.hpp"

namespace unit_shell_words_test {

using namespace tend;
using Words = std::vector<std::string>;

TEST_CASE("a command string splits at blanks, as a shell splits it") {
    CHECK(split_shell_words("nginx -g 'daemon off;'") == Words{"nginx", "-g", "daemon off;"});
    CHECK(split_shell_words("  a\tb\n c  ") == Words{"a", "b", "c"});
    CHECK(split_shell_words("") == Words{});
}

TEST_CASE("quotes and backslashes keep what a shell keeps") {
    CHECK(split_shell_words(R"(echo "a \"b\" \$HOME \x")") == Words{"echo", R"(a "b" $HOME \x)"});
    CHECK(split_shell_words(R"(a\ b 'c\d' "" '')") == Words{"a b", R"(c\d)", "", ""});
    CHECK(split_shell_words("x'y'\"z\"") == Words{"xyz"});
    CHECK(split_shell_words("$HOME *") == Words{"$HOME", "*"});  // no shell: nothing is expanded
}

TEST_CASE("an unterminated quote or a trailing backslash is no command") {
    for (const char* bad : {"'a", "\"a", "a\\", "\"a\\\""}) {
        CAPTURE(bad);
        CHECK_FALSE(split_shell_words(bad).has_value());
    }
}

}  // namespace unit_shell_words_test
