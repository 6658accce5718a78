#include "tend/config/replicas.hpp"

#include <charconv>
#include <optional>

#include "tend/config/config_error.hpp"
#include "tend/config/service_parser.hpp"

namespace tend {
namespace {

const std::string kDeployKeys[] = {"replicas"};

// `replicas:` or `deploy.replicas:`, the node holding the count; an invalid node when neither is written.
YAML::Node count_node(YamlReader& reader, const YAML::Node& node, const std::string& path, std::string& at) {
    // Never assigned to: assigning a yaml-cpp node writes through to the node it refers to.
    const YAML::Node written = map_value(node, "replicas");
    at = path + ".replicas";
    const YAML::Node deploy = map_value(node, "deploy");
    if (!deploy || deploy.IsNull()) return written;
    if (!reader.expect_map(deploy, path + ".deploy")) return YAML::Node(YAML::NodeType::Undefined);
    for (const auto& entry : deploy) {
        const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "?";
        if (key != "replicas" && !key.starts_with("x-"))
            reader.error(entry.first, path + ".deploy." + key +
                                          ": is about containers, and tend runs commands inside one image: "
                                          "only deploy.replicas is taken (set the rest where that container is defined)");
    }
    const YAML::Node inner = deploy["replicas"];
    if (!inner) return written;
    if (written) reader.error(inner, path + ".deploy.replicas: replicas is given twice; keep one");
    at = path + ".deploy.replicas";
    return inner;
}

// The count, 0 to kMaxReplicas; ${VAR} in it is read from the config's variables (not TEND_REPLICA's).
std::optional<int> read_count(YamlReader& reader, const YAML::Node& node, const std::string& path,
                              const VariableLookup& variables, InterpolationBudget& budget) {
    std::string at;
    YAML::Node value = count_node(reader, node, path, at);
    if (!value) return 1;  // deploy: {} alone: compose's default, one
    interpolate_document(reader, value, "", variables, budget, at);
    const std::string limits = "a whole number of instances from 0 to " + std::to_string(kMaxReplicas);
    if (!value.IsScalar()) {
        reader.error(value, at + ": expected " + limits);
        return std::nullopt;
    }
    const std::string& text = value.Scalar();
    long long n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc::result_out_of_range || (ec == std::errc{} && end == text.data() + text.size() && (n < 0 || n > kMaxReplicas))) {
        reader.error(value, at + ": " + text + " is out of range: expected " + limits +
                                (n > kMaxReplicas || ec != std::errc{} ? " (each instance is a process group and a status row)" : ""));
        return std::nullopt;
    }
    if (ec != std::errc{} || end != text.data() + text.size()) {
        reader.error(value, at + ": '" + text + "' is not a number: expected " + limits);
        return std::nullopt;
    }
    return static_cast<int>(n);
}

VariableLookup instance_variables(const VariableLookup& variables, int index, const std::string& instance) {
    return [variables, index, instance](std::string_view name) -> std::optional<std::string> {
        if (name == "TEND_REPLICA") return std::to_string(index);
        if (name == "TEND_SERVICE") return instance;
        return variables(name);
    };
}

// One instance, read from its own copy of the definition. Errors of instances past
// the first are reported once, and only when the first had none (they would repeat them).
std::optional<ServiceSpec> read_instance(YamlReader& reader, YamlReader& later, const std::string& name, int index,
                                         const YAML::Node& key, YAML::Node node, std::string_view source,
                                         const VariableLookup& variables, InterpolationBudget& budget) {
    const std::string instance = replica_name(name, index);
    YamlReader& into = index == 0 ? reader : later;
    const VariableLookup lookup = instance_variables(variables, index, instance);
    into.set_variables(lookup);
    interpolate_document(into, node, index == 0 ? source : "", lookup, budget, "services." + name);
    // Read under the set's name, so an error names the key the user wrote (services.web.image).
    auto spec = parse_service(into, name, key, node);
    into.set_variables(variables);
    if (!spec) return spec;
    spec->name = instance;
    spec->replica_of = name;
    spec->replica = index;
    spec->environment.try_emplace("TEND_REPLICA", std::to_string(index));
    spec->environment.try_emplace("TEND_SERVICE", instance);
    return spec;
}

}  // namespace

bool is_replicated(const YAML::Node& service) {
    return service.IsMap() && (map_value(service, "replicas") || map_value(service, "deploy"));
}

std::string replica_name(const std::string& base, int index) { return base + "-" + std::to_string(index); }

void expand_replicas(YamlReader& reader, const std::string& name, const YAML::Node& key, YAML::Node node,
                     std::string_view source, const ConfigVariables& config_variables, InterpolationBudget& budget,
                     Config& config, std::vector<ServiceSpec>& out) {
    const VariableLookup variables = config_variables.lookup();
    const std::string path = "services." + name;
    const std::size_t errors_before = reader.error_count();
    auto count = read_count(reader, node, path, variables, budget);
    node.remove("replicas");
    node.remove("deploy");
    if (!count || reader.error_count() != errors_before) {
        // The rest of the definition is still read once, so all its errors are said at once.
        interpolate_document(reader, node, source, variables, budget, path);
        (void)parse_service(reader, name, key, node);
        config.rejected_services.push_back(name);
        return;
    }
    // Clones (marks kept): a node of the document itself would keep all of it alive.
    config.replica_sets[name] = {*count, std::make_shared<const ReplicaRecipe>(ReplicaRecipe{
                                             name, reader.file(), YAML::Clone(key), YAML::Clone(node), config_variables}), {}};
    // Copies made before the first instance's values are interpolated in place.
    std::vector<YAML::Node> copies;
    for (int i = 1; i < *count; ++i) copies.push_back(YAML::Clone(node));
    YamlReader later(reader.file());
    for (int i = 0; i < *count; ++i) {
        auto spec = read_instance(reader, later, name, i, key, i == 0 ? node : copies[i - 1], source, variables, budget);
        if (spec) out.push_back(std::move(*spec));
        else config.rejected_services.push_back(replica_name(name, i));
    }
    if (reader.error_count() == errors_before)
        for (const Diagnostic& d : later.errors().sorted()) reader.error(reader.where(key), d.message);
}

std::vector<ServiceSpec> make_instances(const ReplicaRecipe& recipe, int from, int to) {
    YamlReader reader(recipe.file);
    InterpolationBudget budget;
    const VariableLookup variables = recipe.variables.lookup();
    reader.set_variables(variables);
    std::vector<ServiceSpec> out;
    for (int i = from; i < to; ++i) {
        // Each from its own copy: reading interpolates in place.
        auto spec = read_instance(reader, reader, recipe.name, i, recipe.key, YAML::Clone(recipe.node), "", variables, budget);
        if (spec) out.push_back(std::move(*spec));
        if (reader.error_count() > 0) throw ConfigError(reader.errors());
    }
    return out;
}

void expand_replica_dependencies(ServiceSpec& spec, std::map<std::string, ReplicaSet>& sets) {
    std::vector<Dependency> expanded;
    for (Dependency& dep : spec.depends_on) {
        auto set = sets.find(dep.name);
        if (set == sets.end() || !dep.of_set.empty()) {
            expanded.push_back(std::move(dep));
            continue;
        }
        set->second.dependants.emplace_back(spec.name, dep);
        for (int i = 0; i < set->second.count; ++i) {
            Dependency each = dep;
            each.name = replica_name(dep.name, i);
            each.of_set = dep.name;
            expanded.push_back(std::move(each));
        }
    }
    spec.depends_on = std::move(expanded);
}

void expand_replica_dependencies(Config& config) {
    if (config.replica_sets.empty()) return;
    for (ServiceSpec& spec : config.services) expand_replica_dependencies(spec, config.replica_sets);
}

}  // namespace tend
