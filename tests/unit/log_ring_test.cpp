#include <doctest/doctest.h>

#include <string>

#include "tend/output/log_ring.hpp"

using namespace tend;

namespace {

LineView line(std::uint64_t seq, std::string_view text) { return {seq, {}, "svc", OutputStream::out, false, text}; }

std::string texts(const LogRing& ring, std::size_t n) {
    std::string out;
    for (const StoredLine* l : ring.last(n)) out += l->text + ";";
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

TEST_CASE("the ring is bounded by bytes too") {
    LogRing ring(100, 10);
    ring.push(line(1, "aaaa"));
    ring.push(line(2, "bbbb"));
    ring.push(line(3, "cccc"));
    CHECK(texts(ring, 10) == "bbbb;cccc;");
    CHECK(ring.bytes() == 8);
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

TEST_CASE("stored lines keep their sequence, stream and continuation mark") {
    LogRing ring(2);
    ring.push({7, {}, "svc", OutputStream::err, true, "tail"});
    const StoredLine* l = ring.last(1).front();
    CHECK(l->seq == 7);
    CHECK(l->stream == OutputStream::err);
    CHECK(l->continued);
    CHECK(l->view("svc").service == "svc");
}
