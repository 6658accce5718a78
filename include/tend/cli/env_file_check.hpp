// `tend check` on each service's env_file: the daemon reads them at each
// start, so loading a config does not; check reads them once, under the
// image's root when it has one, so a missing or broken file shows at build time.
#pragma once

#include <string>
#include <vector>

#include "tend/config/config.hpp"
#include "tend/config/config_error.hpp"
#include "tend/util/image_root.hpp"

namespace tend {

struct EnvFileFindings {
    std::vector<Diagnostic> errors;
    // A required file that is missing from a service that depends on
    // others: one of them may write it before it starts (s6's with-contenv).
    std::vector<Diagnostic> warnings;
};

EnvFileFindings check_service_env_files(const Config& config, const ImageRoot& root);

}  // namespace tend
