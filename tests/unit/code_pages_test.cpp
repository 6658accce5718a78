// Which of its mappings a quiet tend may drop, read from smaps text, and the
// release itself on this process: a clean page leaves the page table and reads
// back the same; a written read-only page (as the loader leaves relocated
// data) is never dropped, so what was written stays.
#include "tend/process/code_pages.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "tend/util/unique_fd.hpp"

namespace unit_code_pages_test {

using namespace tend;

namespace {

std::string block(const std::string& header, const std::string& anonymous, const std::string& flags = "rd ex mr mw me") {
    return header + "\nSize:                 64 kB\nRss:                  40 kB\nPss:                  40 kB\n" +
           (anonymous.empty() ? "" : "Anonymous:       " + anonymous + " kB\n") +
           "Locked:                0 kB\nVmFlags: " + flags + "\n";
}

// Whether this process's page table maps the page at `address` (/proc/self/pagemap's present bit).
bool page_present(const void* address) {
    tend::UniqueFd fd(open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC));
    REQUIRE(fd);
    std::uint64_t entry = 0;
    const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    const off_t at = static_cast<off_t>(reinterpret_cast<std::uintptr_t>(address) / page * sizeof entry);
    REQUIRE(pread(fd.get(), &entry, sizeof entry, at) == static_cast<ssize_t>(sizeof entry));
    return (entry >> 63) & 1;
}

// A private mapping of a fresh two-page file whose bytes are 'a'.
struct MappedFile {
    MappedFile() {
        char path[] = "/tmp/tend-code-pages-XXXXXX";
        fd.reset(mkstemp(path));
        REQUIRE(fd);
        unlink(path);
        size = 2 * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        std::string bytes(size, 'a');
        REQUIRE(write(fd.get(), bytes.data(), size) == static_cast<ssize_t>(size));
        fsync(fd.get());
        data = static_cast<char*>(mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.get(), 0));
        REQUIRE(data != MAP_FAILED);
    }
    ~MappedFile() { munmap(data, size); }
    tend::UniqueFd fd;
    std::size_t size = 0;
    char* data = nullptr;
};

}  // namespace

TEST_CASE("a clean file mapping that is not writable is taken, with its resident size") {
    auto found = clean_file_mappings(block("55d0c2a00000-55d0c2a10000 r-xp 00001000 08:01 1234   /usr/bin/tend", "0"));
    REQUIRE(found.size() == 1);
    CHECK(found[0].begin == 0x55d0c2a00000u);
    CHECK(found[0].end == 0x55d0c2a10000u);
    CHECK(found[0].resident_bytes == 40 * 1024);
}

TEST_CASE("written, writable, anonymous, locked and special mappings are left alone") {
    std::string smaps =
        block("7f0000000000-7f0000010000 r--p 00020000 08:01 99 /usr/lib/libsystemd.so.0", "8") +  // RELRO: written
        block("7f0000010000-7f0000020000 rw-p 00030000 08:01 99 /usr/lib/libsystemd.so.0", "0") +
        block("7f0000020000-7f0000030000 r--p 00000000 00:00 0 ", "0") +
        block("7f0000030000-7f0000040000 r-xp 00000000 00:00 0                          [vdso]", "0") +
        block("7f0000040000-7f0000050000 r-xp 00001000 08:01 77 /usr/lib/libc.so.6", "0", "rd ex mr mw me lo") +
        block("7f0000050000-7f0000060000 r-xp 00001000 08:01 78 /usr/lib/libz.so.1", "");  // no Anonymous line
    CHECK(clean_file_mappings(smaps).empty());
}

TEST_CASE("paths with spaces, a last block without a line end and stray lines are read as smaps writes them") {
    std::string smaps = "garbage that is not a mapping\n" +
                        block("1000-3000 r-xp 00000000 fd:00 5 /opt/my app/bin (deleted)", "0") +
                        "7f00-8f00 r--p 00000000 fd:00 6 /opt/b\nRss: 8 kB\nAnonymous: 0 kB";
    auto found = clean_file_mappings(smaps);
    REQUIRE(found.size() == 2);
    CHECK(found[0].begin == 0x1000u);
    CHECK(found[1].end == 0x8f00u);
    CHECK(found[1].resident_bytes == 8 * 1024);
}

TEST_CASE("malformed headers are not mappings") {
    CHECK(clean_file_mappings(block("3000-1000 r-xp 00000000 08:01 5 /x", "0")).empty());  // end before begin
    CHECK(clean_file_mappings(block("zz-1000 r-xp 00000000 08:01 5 /x", "0")).empty());
    CHECK(clean_file_mappings(block("1000-2000 r-x 00000000 08:01 5 /x", "0")).empty());
    CHECK(clean_file_mappings(block("1000-2000", "0")).empty());
}

TEST_CASE("a released clean page leaves the page table and reads back the file's bytes") {
    MappedFile file;
    REQUIRE(mprotect(file.data, file.size, PROT_READ) == 0);
    CHECK(file.data[0] == 'a');
    CHECK(page_present(file.data));
    CodeRelease released = release_clean_file_pages();
    CHECK(released.mappings >= 2);  // this mapping and the test program's own code at least
    CHECK(released.resident_bytes > 0);
    CHECK_FALSE(page_present(file.data));
    CHECK(file.data[0] == 'a');
}

TEST_CASE("a read-only page that was written keeps what was written") {
    MappedFile file;
    file.data[0] = 'b';  // copied on write, as the loader does to relocated data before making it read-only
    REQUIRE(mprotect(file.data, file.size, PROT_READ) == 0);
    release_clean_file_pages();
    CHECK(file.data[0] == 'b');
    CHECK(file.data[file.size - 1] == 'a');
}

}  // namespace unit_code_pages_test
