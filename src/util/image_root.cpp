#include "tend/util/image_root.hpp"

namespace tend {

ImageRoot::ImageRoot(std::string dir) : dir_(std::move(dir)) {
    while (!dir_.empty() && dir_.back() == '/') dir_.pop_back();  // "/" and "" both mean the machine's root
}

std::string ImageRoot::host_path(const std::string& path) const {
    return path.starts_with('/') ? dir_ + path : path;
}

std::string ImageRoot::image_path(const std::string& host) const {
    if (dir_.empty() || !host.starts_with(dir_)) return host;
    if (host.size() == dir_.size()) return "/";
    return host[dir_.size()] == '/' ? host.substr(dir_.size()) : host;
}

}  // namespace tend
