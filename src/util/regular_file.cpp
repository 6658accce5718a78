#include "tend/util/regular_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tend/util/unique_fd.hpp"

namespace tend {
namespace {

const char* file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

[[noreturn]] void fail(const std::string& why) { throw std::runtime_error(why); }

}  // namespace

std::string read_regular_file(const std::string& path, std::size_t max_bytes) {
    FileStamp unused;
    return read_regular_file(path, max_bytes, unused);
}

std::string read_regular_file(const std::string& path, std::size_t max_bytes, FileStamp& stamp) {
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (!fd) fail(std::strerror(errno));
    struct stat st {};
    if (fstat(fd.get(), &st) < 0) fail(std::strerror(errno));
    if (!S_ISREG(st.st_mode)) fail(std::string(file_kind(st.st_mode)) + ", not a regular file");
    stamp = {path, st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
    std::string text;
    char buffer[65536];
    for (;;) {
        ssize_t n = read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(std::strerror(errno));
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > max_bytes) fail("larger than " + std::to_string(max_bytes >> 20) + " MiB");
    }
    return text;
}

bool unchanged_since(const FileStamp& stamp) {
    struct stat st {};
    if (stat(stamp.path.c_str(), &st) < 0) return false;
    auto same = [](const timespec& a, const timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; };
    return st.st_dev == stamp.dev && st.st_ino == stamp.ino && st.st_size == stamp.size &&
           same(st.st_mtim, stamp.mtime) && same(st.st_ctim, stamp.ctime);
}

}  // namespace tend
