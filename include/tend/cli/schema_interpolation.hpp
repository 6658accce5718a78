// Every string value of a config is interpolated before it is read, so
// `autostart: ${DEBUG:-false}` or `stop_timeout: ${GRACE}` is a valid config
// where the schema expects a boolean, a number, an enum or a pattern. This
// makes the generated schema say so, without the registries having to.
#pragma once

#include <nlohmann/json.hpp>

namespace tend {

// The name of the definition a `${...}` string matches.
inline constexpr const char* kInterpolatedDefinition = "interpolated";

// Adds that definition and lets every value place that takes a scalar, but
// not every string, take a `${...}` string too: anyOf [its schema, that
// definition], its description and examples lifted to the outer schema so
// editors still show them (and its enum still completes).
void accept_interpolation(nlohmann::ordered_json& schema);

}  // namespace tend
