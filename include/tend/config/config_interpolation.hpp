// ${VAR} interpolation of a whole config document, as compose does it: every
// string value, after the YAML is read and before it is parsed, so `${PORT}`
// may stand for a number, a duration or a boolean. Mapping keys stay as
// written (compose leaves them too): a service's name never depends on the
// environment.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "tend/config/interpolation.hpp"
#include "tend/config/yaml_reader.hpp"

namespace tend {

// How much all of a config's values may grow by interpolation together: a
// 16 MiB file of ${BIG} must not turn into gigabytes in PID 1.
inline constexpr std::size_t kMaxInterpolationGrowth = 16 * 1024 * 1024;

// Where ${VAR} takes its values: tend's own environment, then settings.env_file
// (compose's precedence: the shell's environment wins over .env).
class ConfigVariables {
public:
    void add_file_variables(const std::map<std::string, std::string>& variables);
    std::optional<std::string> find(std::string_view name) const;
    VariableLookup lookup() const {
        return [this](std::string_view name) { return find(name); };
    }

private:
    std::map<std::string, std::string, std::less<>> from_files_;
};

struct InterpolationBudget {
    std::size_t growth_left = kMaxInterpolationGrowth;
};

// Interpolates every string value under `root` in place (each shared node,
// an alias's target, once); each refusal is an error at its value, with the
// column of its ${ when the value is written on one line. `source` is the
// text `root` was read from. settings.env_file is left alone: it was
// interpolated from tend's own environment before its files were read.
// `prefix` is the path of `root` in messages ("services.worker"); a value
// whose path `skip` accepts is left alone, with all below it.
using SkipPath = std::function<bool(const std::string& path)>;
void interpolate_document(YamlReader& reader, YAML::Node root, std::string_view source, const VariableLookup& lookup,
                          InterpolationBudget& budget, const std::string& prefix = "", const SkipPath& skip = {});

}  // namespace tend
