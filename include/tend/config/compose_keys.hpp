// docker-compose's spellings of a service's keys: those that mean what a tend
// key means are parsed into the same ServiceSpec (healthcheck, entrypoint,
// stop_grace_period, ulimits, profiles, restart's and user's forms), and those
// that only make sense for an image or a container are refused with a word on
// why. The service key table (service_keys) registers the accepted ones.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tend/config/service_keys.hpp"

namespace tend {

void parse_healthcheck(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                       ServiceParse& pending);
void parse_entrypoint(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                      ServiceParse& pending);
void parse_profiles(YamlReader& reader, const YAML::Node& value, const std::string& path, ServiceSpec& spec,
                    ServiceParse& pending);

// The keys `healthcheck:` may hold (for the config schema).
std::span<const std::string> healthcheck_key_names();

// Keys a compose file may hold that tend refuses: about images, networks and the container itself.
std::span<const std::string> refused_compose_keys();
void refuse_compose_key(YamlReader& reader, const std::string& key, const YAML::Node& value, const std::string& path);

// What needs the whole entry: entrypoint with command, a key given in both
// spellings, restart's on-failure:N beside max_restarts, user's USER:GROUP beside group.
void finish_compose_keys(YamlReader& reader, const YAML::Node& node, const std::string& path, ServiceSpec& spec,
                         ServiceParse& pending);

// The profiles TEND_PROFILES names (comma separated). A service with profiles
// none of which is active is not started by itself: as autostart: false.
void apply_profiles(std::vector<ServiceSpec>& services, std::string_view active);

}  // namespace tend
