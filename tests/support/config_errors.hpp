// What the loader says about a config text, for tests that assert exact messages.
#pragma once

#include <string>

#include "fake_credentials.hpp"
#include "tend/config/config_error.hpp"
#include "tend/config/config_loader.hpp"

namespace tend::test {

// The full text of every error the loader reports for `yaml` (as file t.yaml), one per line.
inline std::string errors_of(const std::string& yaml) {
    try {
        parse_config(yaml, "t.yaml", fake_credentials);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace tend::test
