// The file system as tend import reads it: files, and [include] globs.
#include <glob.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tend/cli/supervisord_import.hpp"
#include "tend/config/config_loader.hpp"
#include "tend/util/regular_file.hpp"

namespace tend {
namespace {

thread_local int glob_error = 0;

// As Python's glob, which supervisord uses: a directory that is not there
// matches nothing; one that cannot be read is an error.
int on_glob_error(const char* /*path*/, int error) {
    if (error == ENOENT || error == ENOTDIR) return 0;
    glob_error = error;
    return 1;
}

}  // namespace

ImportSource file_system_source() {
    return {
        [](const std::string& path) {
            try {
                return read_regular_file(path, kMaxConfigBytes);
            } catch (const std::runtime_error& e) {
                throw std::runtime_error(path + ": cannot read: " + e.what());
            }
        },
        [](const std::string& pattern) {
            glob_t matches{};
            glob_error = 0;
            const int found = glob(pattern.c_str(), 0, on_glob_error, &matches);
            const int error = found == GLOB_NOSPACE ? ENOMEM : glob_error;
            std::vector<std::string> paths(matches.gl_pathv, matches.gl_pathv + (found == 0 ? matches.gl_pathc : 0));
            globfree(&matches);
            if (found != 0 && found != GLOB_NOMATCH)  // as supervisord, a pattern that matches nothing is fine
                throw std::runtime_error("files=" + pattern + ": cannot read: " + std::strerror(error));
            return paths;
        },
    };
}

}  // namespace tend
