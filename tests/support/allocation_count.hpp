// Bytes the unit-test binary has allocated through operator new: a count of work that
// is the same on every run, where a clock is not, for the tests of how cost grows with input.
#pragma once

#include <cstddef>

namespace tend::test {

std::size_t bytes_allocated();

}  // namespace tend::test
