#include "tend/process/standard_fds.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "tend/util/system_error.hpp"

namespace tend {

void open_missing_standard_fds() {
    for (int fd = 0; fd <= 2; ++fd) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
        // The lowest free fd is this one: every lower one is open by now.
        int opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (opened < 0) throw errno_error("Failed to open /dev/null for fd " + std::to_string(fd));
        if (opened != fd) {
            close(opened);
            throw errno_error("Failed to open /dev/null on fd " + std::to_string(fd), EBADF);
        }
    }
}

}  // namespace tend
