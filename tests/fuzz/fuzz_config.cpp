// Bytes in: a config, or positioned errors; never a crash. A config that loads
// is also diffed against a fixed one, as a reload would.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fake_credentials.hpp"
#include "tend/config/config_diff.hpp"
#include "tend/config/config_error.hpp"
#include "tend/config/config_loader.hpp"

namespace {

const tend::Config& running() {
    static const tend::Config config = tend::parse_config(
        "services:\n  db:\n    command: [postgres]\n    ready: {notify: systemd}\n"
        "  web:\n    command: nginx\n    depends_on: {db: healthy}\n    health: {tcp: 80}\n",
        "running.yaml", tend::fake_credentials);
    return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        tend::Config next = tend::parse_config(text, "fuzz.yaml", tend::fake_credentials);
        auto diff = tend::diff_configs(running().settings, running().services, next);
        for (const auto& d : diff.services) (void)tend::describe(d);
    } catch (const tend::ConfigError& e) {
        for (const auto& d : e.diagnostics())
            if (d.where.file.empty()) __builtin_trap();  // every error says where
    }
    return 0;
}
