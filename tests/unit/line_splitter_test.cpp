#include <doctest/doctest.h>

#include <ostream>
#include <string>
#include <vector>

#include "tend/output/line_splitter.hpp"

namespace unit_line_splitter_test {

using namespace tend;

namespace {

struct Piece {
    std::string text;
    bool continued;
    bool operator==(const Piece&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Piece& p) { return os << "{" << p.text << "," << p.continued << "}"; }

struct Collector {
    std::vector<Piece> pieces;
    LineSplitter::Sink sink() {
        return [this](std::string_view text, bool continued) { pieces.push_back({std::string(text), continued}); };
    }
};

}  // namespace

TEST_CASE("complete lines come out without their newline, in order") {
    LineSplitter splitter;
    Collector c;
    splitter.feed("one\ntwo\n", c.sink());
    CHECK(c.pieces == std::vector<Piece>{{"one", false}, {"two", false}});
    CHECK(splitter.pending() == 0);
}

TEST_CASE("a partial line is held until its newline arrives") {
    LineSplitter splitter;
    Collector c;
    splitter.feed("hel", c.sink());
    CHECK(c.pieces.empty());
    CHECK(splitter.pending() == 3);
    splitter.feed("lo\nwor", c.sink());
    CHECK(c.pieces == std::vector<Piece>{{"hello", false}});
    splitter.feed("ld\n", c.sink());
    CHECK(c.pieces == std::vector<Piece>{{"hello", false}, {"world", false}});
}

TEST_CASE("flush emits the held partial line once, and nothing when there is none") {
    LineSplitter splitter;
    Collector c;
    splitter.flush(c.sink());
    CHECK(c.pieces.empty());
    splitter.feed("no newline at the end", c.sink());
    splitter.flush(c.sink());
    splitter.flush(c.sink());
    CHECK(c.pieces == std::vector<Piece>{{"no newline at the end", false}});
}

TEST_CASE("empty lines are lines") {
    LineSplitter splitter;
    Collector c;
    splitter.feed("\n\na\n\n", c.sink());
    CHECK(c.pieces == std::vector<Piece>{{"", false}, {"", false}, {"a", false}, {"", false}});
}

TEST_CASE("a CR before the newline is dropped, a CR elsewhere is kept") {
    LineSplitter splitter;
    Collector c;
    splitter.feed("dos\r\nmid\rdle\n\r\n", c.sink());
    CHECK(c.pieces == std::vector<Piece>{{"dos", false}, {"mid\rdle", false}, {"", false}});
}

TEST_CASE("binary bytes pass through untouched, NUL included") {
    LineSplitter splitter;
    Collector c;
    std::string bytes("\x00\x01\xff\xfe text\x7f", 10);
    splitter.feed(bytes + "\n", c.sink());
    REQUIRE(c.pieces.size() == 1);
    CHECK(c.pieces[0].text == bytes);
}

TEST_CASE("a line longer than the limit is cut, later pieces marked as continued") {
    LineSplitter splitter(4);
    Collector c;
    splitter.feed("abcdefghij\nxy\n", c.sink());
    CHECK(c.pieces == std::vector<Piece>{{"abcd", false}, {"efgh", true}, {"ij", true}, {"xy", false}});
}

TEST_CASE("a line exactly at the limit is not cut") {
    LineSplitter splitter(4);
    Collector c;
    splitter.feed("abcd\n", c.sink());
    CHECK(c.pieces == std::vector<Piece>{{"abcd", false}});
}

TEST_CASE("a long line arriving in small chunks is cut the same way, without waiting for its end") {
    LineSplitter splitter(4);
    Collector c;
    for (char ch : std::string("abcdefghij")) splitter.feed(std::string_view(&ch, 1), c.sink());
    CHECK(c.pieces == std::vector<Piece>{{"abcd", false}, {"efgh", true}});
    CHECK(splitter.pending() == 2);
    splitter.flush(c.sink());
    CHECK(c.pieces.back() == Piece{"ij", true});
    splitter.feed("next\n", c.sink());
    CHECK(c.pieces.back() == Piece{"next", false});
}

TEST_CASE("a 1 MiB line with the default limit comes out as 16 pieces of 64 KiB") {
    LineSplitter splitter;
    Collector c;
    std::string line(1024 * 1024, 'x');
    splitter.feed(line + "\n", c.sink());
    REQUIRE(c.pieces.size() == 16);
    std::string joined;
    for (std::size_t i = 0; i < c.pieces.size(); ++i) {
        CHECK(c.pieces[i].text.size() == LineSplitter::kDefaultMaxLine);
        CHECK(c.pieces[i].continued == (i > 0));
        joined += c.pieces[i].text;
    }
    CHECK(joined == line);
}

}  // namespace unit_line_splitter_test
