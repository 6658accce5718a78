// Reading a whole file that a user named as config: tend.yaml and its
// includes, or a supervisord.conf for `tend import`.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <string>

namespace tend {

// All of `path`, when it is a regular file of at most `max_bytes`. It is
// opened without blocking (a FIFO would hold the reader until a writer came)
// and refused when it is not a regular file (`include: /dev/zero`). Throws
// std::runtime_error whose what() is the reason alone ("No such file or
// directory", "a FIFO, not a regular file", "larger than 16 MiB"), for the
// caller to put beside the path.
std::string read_regular_file(const std::string& path, std::size_t max_bytes);

// Which version of a file was read: taken from the open file before reading,
// compared with what the path names once the reader is done. A file written
// in place while it was read (an editor's save, `cat > tend.yaml`) or
// replaced by a rename shows a different size, mtime or inode.
struct FileStamp {
    std::string path;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    timespec mtime{};
    timespec ctime{};
};

// As above, and `stamp` says which version of the file the text is.
std::string read_regular_file(const std::string& path, std::size_t max_bytes, FileStamp& stamp);

// The path still names the file `stamp` was taken of, unchanged (false too when it is gone).
bool unchanged_since(const FileStamp& stamp);

}  // namespace tend
