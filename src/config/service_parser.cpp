#include "tend/config/service_parser.hpp"

#include <algorithm>
#include <cctype>

#include "tend/config/compose_keys.hpp"
#include "tend/config/schedule_keys.hpp"
#include "tend/config/service_keys.hpp"

namespace tend {

bool valid_service_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '@';
}

bool valid_service_name(const std::string& name) {
    return !name.empty() && name.size() <= 64 && name != "all" && std::all_of(name.begin(), name.end(), valid_service_name_char);
}

// tend's keys and the compose keys it refuses with a reason: any other is
// unknown, with a did-you-mean among both.
static std::span<const std::string> accepted_service_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> out(service_key_names().begin(), service_key_names().end());
        out.insert(out.end(), refused_compose_keys().begin(), refused_compose_keys().end());
        return out;
    }();
    return keys;
}

std::optional<ServiceSpec> parse_service(YamlReader& reader, const std::string& name, const YAML::Node& key,
                                         const YAML::Node& node) {
    const std::size_t errors_before = reader.error_count();
    const std::string path = "services." + name;
    ServiceSpec spec;
    spec.name = name;
    spec.where = reader.where(key);
    if (!valid_service_name(name))
        reader.error(key, path + ": invalid service name (use letters, digits, '-', '_', '.', '@'; at most 64; not 'all')");
    if (!reader.expect_map(node, path)) return std::nullopt;

    ServiceParse pending;
    reader.for_each_known(node, accepted_service_keys(), path, [&](const std::string& k, const YAML::Node& v) {
        if (const ServiceKey* entry = find_service_key(k)) entry->parse(reader, v, path + "." + k, spec, pending);
        else refuse_compose_key(reader, k, v, path);
    });
    finish_compose_keys(reader, node, path, spec, pending);
    finish_schedule_keys(reader, node, path, spec);
    if (spec.output == OutputMode::inherit && !spec.log_file.empty())
        reader.error(map_value(node, "log_file"), path + ".log_file: needs captured output, but output: inherit hands the service tend's own stdout");

    if (spec.type == ServiceType::oneshot) {
        if (map_value(node, "ready")) reader.error(map_value(node, "ready"), path + ".ready: a one-shot is never running, so never ready; dependants wait for `completed`");
        if (map_value(node, "health")) reader.error(map_value(node, "health"), path + ".health: a one-shot has no health to check");
        if (spec.restart == RestartPolicy::always)
            reader.error(map_value(node, "restart"), path + ".restart: a one-shot runs to its end: use on-failure to retry it, or never");
    }
    if (spec.ready.probe.kind == ProbeSpec::Kind::log && (spec.output == OutputMode::inherit ||
                                                          (spec.output == OutputMode::discard && spec.log_file.empty())))
        reader.error(map_value(node, "ready"), path + ".ready.log: needs captured output (output: prefix, or a log_file)");

    if (!map_value(node, "command") && !(pending.entrypoint && !pending.entrypoint->empty()))
        reader.error(key, path + ": missing required key 'command'");
    if (pending.user || pending.group)
        spec.identity = CredentialNames{pending.user, pending.group,
                                        pending.user_node ? reader.where(pending.user_node) : SourceLocation{},
                                        pending.group_node ? reader.where(pending.group_node) : SourceLocation{}};
    if (reader.error_count() != errors_before) return std::nullopt;
    return spec;
}

}  // namespace tend
