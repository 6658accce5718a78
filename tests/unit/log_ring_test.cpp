#include <doctest/doctest.h>

#include <string>

#include "tend/output/log_ring.hpp"

namespace unit_log_ring_test {

using namespace tend;

namespace {

LineView line(std::uint64_t seq, std::string_view text) { return {seq, {}, "svc", OutputStream::out, false, text}; }

std::string texts(const LogRing& ring, std::size_t n) {
    std::string out;
    for (const StoredLine& l : ring.last(n)) out += l.text + ";";
    return out;
}

}  // namespace

TEST_CASE("the ring keeps the last max_lines lines, oldest first") {
    LogRing ring(3);
    for (int i = 1; i <= 5; ++i) ring.push(line(i, std::to_string(i)));
    CHECK(ring.size() == 3);
    CHECK(texts(ring, 10) == "3;4;5;");
    CHECK(texts(ring, 2) == "4;5;");
    CHECK(texts(ring, 0) == "");
}

TEST_CASE("the ring is bounded by bytes too, a block at a time") {
    LogRing ring(1'000'000, 3 * LogRing::kBlockBytes);
    std::string text(1000, 'x');
    for (int i = 0; i < 1000; ++i) ring.push(line(i, text));  // 1 MB of text
    CHECK(ring.bytes() <= 3 * LogRing::kBlockBytes);
    CHECK(ring.bytes() >= 2 * LogRing::kBlockBytes);
    CHECK(ring.last(1).front().seq == 999);
    CHECK(ring.size() * 1000 <= ring.bytes());
}

TEST_CASE("a line longer than a block gets a block of its own and comes back whole") {
    LogRing ring(10);
    std::string big(LogRing::kBlockBytes * 2 + 5, 'b');
    ring.push(line(1, "small"));
    ring.push(line(2, big));
    ring.push(line(3, "after"));
    auto lines = ring.last(3);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].text == "small");
    CHECK(lines[1].text == big);
    CHECK(lines[2].text == "after");
}

TEST_CASE("dropped lines free their blocks") {
    LogRing ring(2);
    std::string text(LogRing::kBlockBytes, 'z');  // one block each
    for (int i = 0; i < 10; ++i) ring.push(line(i, text));
    CHECK(ring.size() == 2);
    CHECK(ring.bytes() == 2 * LogRing::kBlockBytes);
}

TEST_CASE("a ring of zero lines keeps nothing; shrinking drops the oldest") {
    LogRing none(0);
    none.push(line(1, "x"));
    CHECK(none.size() == 0);
    LogRing ring(5);
    for (int i = 1; i <= 5; ++i) ring.push(line(i, std::to_string(i)));
    ring.resize(2);
    CHECK(texts(ring, 10) == "4;5;");
}

TEST_CASE("a ring that has wrapped keeps its order when it grows or shrinks") {
    LogRing ring(4);
    for (int i = 1; i <= 6; ++i) ring.push(line(i, std::to_string(i)));  // wrapped: 3 4 5 6
    CHECK(texts(ring, 10) == "3;4;5;6;");
    ring.resize(10);  // the entries are laid out again, oldest first, when they next need room
    for (int i = 7; i <= 12; ++i) ring.push(line(i, std::to_string(i)));
    CHECK(ring.size() == 10);
    CHECK(texts(ring, 10) == "3;4;5;6;7;8;9;10;11;12;");
    for (int i = 13; i <= 25; ++i) ring.push(line(i, std::to_string(i)));
    CHECK(texts(ring, 10) == "16;17;18;19;20;21;22;23;24;25;");
    ring.resize(3);
    CHECK(texts(ring, 10) == "23;24;25;");
    ring.push(line(26, "26"));
    CHECK(texts(ring, 10) == "24;25;26;");
    CHECK(ring.last(1).front().seq == 26);
}

TEST_CASE("stored lines keep their sequence, stream and continuation mark") {
    LogRing ring(2);
    ring.push({7, {}, "svc", OutputStream::err, true, "tail"});
    StoredLine l = ring.last(1).front();
    CHECK(l.seq == 7);
    CHECK(l.stream == OutputStream::err);
    CHECK(l.continued);
    CHECK(l.view("svc").service == "svc");
}

TEST_CASE("a service that prints little costs little: blocks start small") {
    LogRing ring(1000);
    ring.push(line(1, "started"));
    CHECK(ring.bytes() == 7);
    CHECK(ring.reserved() <= 2 * LogRing::kFirstBlockBytes);
    CHECK(ring.last(1).front().text == "started");
    for (int i = 0; i < 5000; ++i) ring.push(line(i + 2, "a line of some forty bytes, give or take"));
    CHECK(ring.reserved() <= ring.bytes() + 2 * LogRing::kBlockBytes);
}

TEST_CASE("a cleared ring holds nothing and takes lines again") {
    LogRing ring(10);
    for (int i = 1; i <= 5; ++i) ring.push(line(i, std::to_string(i)));
    ring.clear();
    CHECK(ring.size() == 0);
    CHECK(ring.bytes() == 0);
    CHECK(ring.reserved() == 0);
    CHECK(texts(ring, 10) == "");
    ring.push(line(6, "6"));
    CHECK(texts(ring, 10) == "6;");
}

}  // namespace unit_log_ring_test
