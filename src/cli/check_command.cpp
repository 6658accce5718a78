#include "tend/cli/check_command.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <stdexcept>

#include "tend/cli/env_file_check.hpp"
#include "tend/config/config_error.hpp"
#include "tend/config/config_loader.hpp"
#include "tend/process/account_files.hpp"
#include "tend/util/huge_page_heap.hpp"

namespace tend {

int check_config(const std::string& config_path, const ImageRoot& root, std::ostream& out, std::ostream& err) {
    const std::string path = root.host_path(config_path);
    // yaml-cpp's tree of a file takes about 70 times the file's size: a big
    // one (200,000 keys, 3.5 MB) spent a third of its time in page faults.
    // This process only checks and exits, so its heap may take huge pages.
    if (struct stat file{}; stat(path.c_str(), &file) == 0 && file.st_size > (1 << 20))
        prefer_huge_pages_for_heap(std::min<std::size_t>(static_cast<std::size_t>(file.st_size) * 80, std::size_t(1) << 30));
    try {
        // The image's users are in its own files: the host's databases (NSS)
        // know nothing of them.
        std::optional<AccountFiles> accounts;
        if (!root.is_host()) accounts.emplace(AccountFiles::read(root));
        CredentialLookup lookup = lookup_credentials;
        if (accounts)
            lookup = [&accounts](const std::string& user, const std::optional<std::string>& group) {
                return accounts->lookup(user, group);
            };
        Config config = load_config_file(path, lookup, root);
        const EnvFileFindings env_files = check_service_env_files(config, root);
        for (const auto& d : env_files.warnings) err << "warning: " << d.to_string() << "\n";
        if (!env_files.errors.empty()) throw ConfigError(env_files.errors);
        out << path << ": ok, " << config.services.size() << " service" << (config.services.size() == 1 ? "" : "s")
            << "\n";
        return 0;
    } catch (const ConfigError& e) {
        for (const auto& d : e.diagnostics()) err << d.to_string() << "\n";
        err << path << ": " << e.total() << " error" << (e.total() == 1 ? "" : "s") << "\n";
        return 1;
    } catch (const std::runtime_error& e) {  // the image's passwd or group file
        err << e.what() << "\n";
        return 1;
    }
}

}  // namespace tend
