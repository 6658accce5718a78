// `tend check`: load a config, print every error, say how many services it has.
#pragma once

#include <ostream>
#include <string>

#include "tend/util/image_root.hpp"

namespace tend {

// Returns 0 when the config is valid, 1 when it is not. With an image's
// `root`, an absolute `config_path`, the include globs and the users and
// groups (its /etc/passwd and /etc/group) and the env files (settings.env_file
// and each service's env_file) are those of the image.
int check_config(const std::string& config_path, const ImageRoot& root, std::ostream& out, std::ostream& err);

}  // namespace tend
