// For a short-lived command about to build a large tree (`tend check` of a
// big file): lets malloc's heap grow in one step and asks for transparent huge
// pages on it, so the tree costs a few hundred page faults instead of tens of
// thousands. Never for PID 1, whose resident memory must stay small.
#pragma once

#include <cstddef>

namespace tend {

// Best effort: does nothing where the kernel has no transparent huge pages or
// the heap cannot grow by `bytes` at once.
void prefer_huge_pages_for_heap(std::size_t bytes);

}  // namespace tend
