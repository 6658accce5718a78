// A service's log file: appended to, and rotated (PATH -> PATH.1 -> ... ->
// PATH.KEEP) when the next write would pass max_size. A file that cannot be
// opened or written (a full disk) is reported once and skipped, never fatal.
// Only regular files are rotated: /dev/null, a FIFO or a socket is written to
// as it is, and rotation never renames onto something that is not a regular file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tend/util/unique_fd.hpp"

namespace tend {

class RotatingFile {
public:
    // `owner` names the service in messages.
    RotatingFile(std::string owner, std::string path, std::uint64_t max_size, int keep);

    void write(std::string_view bytes);
    bool same_settings(const std::string& path, std::uint64_t max_size, int keep) const {
        return path == path_ && max_size == max_size_ && keep == keep_;
    }
    bool healthy() const { return !failing_; }

private:
    void open_file();
    bool write_all(std::string_view bytes);
    void rotate();
    void report(const std::string& what, int error);

    std::string owner_;
    std::string path_;
    std::uint64_t max_size_;
    int keep_;
    UniqueFd fd_;
    std::uint64_t size_ = 0;
    bool regular_ = true;  // only a regular file is rotated
    bool failing_ = false;
};

}  // namespace tend
