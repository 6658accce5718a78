#include "tend/cli/check_command.hpp"

#include "tend/config/config_error.hpp"
#include "tend/config/config_loader.hpp"

namespace tend {

int check_config(const std::string& path, std::ostream& out, std::ostream& err) {
    try {
        Config config = load_config_file(path);
        out << path << ": ok, " << config.services.size() << " service" << (config.services.size() == 1 ? "" : "s")
            << "\n";
        return 0;
    } catch (const ConfigError& e) {
        for (const auto& d : e.diagnostics()) err << d.to_string() << "\n";
        err << path << ": " << e.total() << " error" << (e.total() == 1 ? "" : "s") << "\n";
        return 1;
    }
}

}  // namespace tend
