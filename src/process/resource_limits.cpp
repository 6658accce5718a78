#include "tend/process/resource_limits.hpp"

namespace tend {
namespace {

const ResourceName kResources[] = {
    {"as", RLIMIT_AS, true},           {"core", RLIMIT_CORE, true},
    {"cpu", RLIMIT_CPU, false},        {"data", RLIMIT_DATA, true},
    {"fsize", RLIMIT_FSIZE, true},     {"locks", RLIMIT_LOCKS, false},
    {"memlock", RLIMIT_MEMLOCK, true}, {"msgqueue", RLIMIT_MSGQUEUE, true},
    {"nice", RLIMIT_NICE, false},      {"nofile", RLIMIT_NOFILE, false},
    {"nproc", RLIMIT_NPROC, false},    {"rss", RLIMIT_RSS, true},
    {"rtprio", RLIMIT_RTPRIO, false},  {"rttime", RLIMIT_RTTIME, false},
    {"sigpending", RLIMIT_SIGPENDING, false}, {"stack", RLIMIT_STACK, true},
};

std::string format_value(rlim_t value) { return value == RLIM_INFINITY ? "unlimited" : std::to_string(value); }

}  // namespace

std::span<const ResourceName> resource_names() { return kResources; }

const ResourceName* find_resource(std::string_view name) {
    for (const ResourceName& r : kResources)
        if (name == r.name) return &r;
    return nullptr;
}

std::string resource_name(int resource) {
    for (const ResourceName& r : kResources)
        if (r.resource == resource) return r.name;
    return "limit " + std::to_string(resource);
}

std::string format_limit(const ResourceLimit& limit) {
    if (limit.soft == limit.hard) return format_value(limit.soft);
    return format_value(limit.soft) + ":" + format_value(limit.hard);
}

}  // namespace tend
