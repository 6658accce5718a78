// Per-service resource limits (setrlimit), by the names systemd's Limit*= keys
// and ulimit use: `limits: {nofile: 1024, core: 0}` in tend.yaml.
#pragma once

#include <sys/resource.h>

#include <span>
#include <string>
#include <string_view>

namespace tend {

struct ResourceLimit {
    int resource = 0;  // RLIMIT_*
    rlim_t soft = RLIM_INFINITY;
    rlim_t hard = RLIM_INFINITY;
    bool operator==(const ResourceLimit&) const = default;
};

struct ResourceName {
    const char* name;  // "nofile"
    int resource;      // RLIMIT_NOFILE
    bool bytes;        // a size: "64MiB" is accepted
};

std::span<const ResourceName> resource_names();
const ResourceName* find_resource(std::string_view name);
// "nofile" for RLIMIT_NOFILE; "limit N" for one not in the table.
std::string resource_name(int resource);
// "1024", "unlimited", or "1024:4096" when soft and hard differ (systemd's form).
std::string format_limit(const ResourceLimit& limit);

}  // namespace tend
