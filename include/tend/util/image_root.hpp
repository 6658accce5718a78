// `--root DIR`: an image's root file system seen from outside the image, so
// `tend check` and `tend import` can read the paths a config names (includes,
// env files, /etc/passwd) where they will be when the image runs.
#pragma once

#include <string>

namespace tend {

class ImageRoot {
public:
    ImageRoot() = default;  // the machine's own root: every path as it is
    explicit ImageRoot(std::string dir);

    // Where an absolute path of the image is on this machine (DIR + path); a
    // relative path is left as it is, relative to where tend was started.
    std::string host_path(const std::string& path) const;
    // The path in the image of a host path under DIR (what %(here)s and
    // messages should say); a path outside DIR is returned unchanged.
    std::string image_path(const std::string& host) const;
    // A path a config names, already made absolute against the config file's
    // directory (so possibly under DIR on this machine) or absolute in the
    // image: where it is on this machine.
    std::string resolve(const std::string& path) const { return host_path(image_path(path)); }
    bool is_host() const { return dir_.empty(); }
    const std::string& dir() const { return dir_; }

private:
    std::string dir_;  // without a trailing '/'; empty for "/"
};

}  // namespace tend
