#include "tend/cli/env_file_check.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <stdexcept>

#include "tend/config/env_file.hpp"

namespace tend {
namespace {

bool missing(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) < 0 && errno == ENOENT;
}

void check_one(const ServiceSpec& spec, const EnvFileRef& ref, const ImageRoot& root, EnvFileFindings& findings) {
    const std::string path = root.resolve(ref.path);
    const std::string key = "services." + spec.name + ".env_file: ";
    if (missing(path)) {
        if (!ref.required) return;
        if (spec.depends_on.empty()) {
            findings.errors.push_back({spec.where, key + path + ": No such file or directory (a required env file)"});
        } else {
            findings.warnings.push_back({spec.where, key + path +
                                                         ": No such file or directory; fine only if a service it "
                                                         "depends on writes it before it starts"});
        }
        return;
    }
    try {
        (void)read_env_file(path, process_variable);
    } catch (const std::runtime_error& e) {
        findings.errors.push_back({spec.where, key + e.what()});
    }
}

}  // namespace

EnvFileFindings check_service_env_files(const Config& config, const ImageRoot& root) {
    EnvFileFindings findings;
    for (const ServiceSpec& spec : config.services)
        for (const EnvFileRef& ref : spec.env_files) check_one(spec, ref, root, findings);
    return findings;
}

}  // namespace tend
