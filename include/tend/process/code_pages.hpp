// The pages of code and read-only data a quiet tend need not keep mapped.
// What ran once (reading the config, yaml-cpp, the first spawns, a library's
// start-up) stays in tend's page tables for good, and the kernel maps 64 KiB
// around every page it faults in; dropping the mappings of pages that are still
// the file's own costs a minor fault from the page cache when the code runs
// again, and leaves the pages clean and unmapped, the first the kernel reclaims.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tend {

struct CodeMapping {
    std::uintptr_t begin = 0;
    std::uintptr_t end = 0;
    std::size_t resident_bytes = 0;
};

// The mappings listed in `smaps` (the text of /proc/PID/smaps) whose pages can
// be dropped and faulted in again unchanged: backed by a file, not writable,
// not locked, private, and holding no anonymous page, in memory or in swap. A
// read-only page that was written is anonymous: the relocated data the loader
// made read-only afterwards (RELRO), a debugger's breakpoint, a uprobe;
// dropping those would lose what was written, so their whole mapping is left
// alone. A block that does not say both (no Anonymous or no Swap line) is not
// taken either.
std::vector<CodeMapping> clean_file_mappings(std::string_view smaps);

struct CodeRelease {
    std::size_t mappings = 0;
    std::size_t resident_bytes = 0;  // mapped before the release, by smaps
    std::string failure;             // the first mapping that refused the advice, and why; "" when none did
};

// Drops this process's mappings of its clean file pages (madvise
// MADV_DONTNEED, which for a private file mapping unmaps the pages and leaves
// the page cache as it was). A mapping that refuses the advice keeps its
// pages and is named in `failure`; throws std::system_error when
// /proc/self/smaps cannot be read.
CodeRelease release_clean_file_pages();

// What a quiet tend gives back: the heap's free pages (malloc_trim; a status
// reply of 500 services leaves 300 KiB of them) and the above. Silent, since a
// log line is an event of tend's loop, which would end the quiet it follows.
// A mapping that refuses the advice is warned about once (later refusals are
// silent). Returns false, after a warning, when smaps cannot be read: the
// pages then stay mapped, and the caller stops asking.
bool release_idle_pages();

}  // namespace tend
