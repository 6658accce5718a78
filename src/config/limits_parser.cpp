#include "tend/config/limits_parser.hpp"

#include <charconv>

#include "tend/util/byte_size.hpp"
#include "tend/util/edit_distance.hpp"

namespace tend {
namespace {

const std::string kSoftHardKeys[] = {"soft", "hard"};

const std::vector<std::string>& limit_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const ResourceName& r : resource_names()) out.emplace_back(r.name);
        return out;
    }();
    return names;
}

std::string join_names() {
    std::string out;
    for (const std::string& name : limit_names()) out += (out.empty() ? "" : ", ") + name;
    return out;
}

std::optional<rlim_t> parse_count(std::string_view text) {
    rlim_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value == RLIM_INFINITY) return std::nullopt;
    return value;
}

// One side of a limit: a count, "unlimited"/"infinity", or a size for the byte limits.
std::optional<rlim_t> parse_value(std::string_view text, const ResourceName& resource) {
    if (text == "unlimited" || text == "infinity") return RLIM_INFINITY;
    if (auto n = parse_count(text)) return n;
    if (!resource.bytes) return std::nullopt;
    auto size = parse_byte_size(text);
    if (!size || *size >= RLIM_INFINITY) return std::nullopt;
    return static_cast<rlim_t>(*size);
}

// "a whole number" (and "or a size" for the byte limits): the start of every complaint about a value.
std::string a_value_of(const ResourceName& resource) {
    return std::string("a whole number") + (resource.bytes ? " or a size (64MiB)" : "");
}

std::optional<rlim_t> read_value(YamlReader& reader, const YAML::Node& node, const std::string& path,
                                 const ResourceName& resource) {
    auto text = reader.string(node, path);
    if (!text) return std::nullopt;
    if (auto value = parse_value(*text, resource)) return value;
    reader.error(node, path + ": expected " + a_value_of(resource) + " or unlimited, got '" + *text + "'");
    return std::nullopt;
}

std::optional<ResourceLimit> read_limit(YamlReader& reader, const YAML::Node& node, const std::string& path,
                                        const ResourceName& resource) {
    ResourceLimit limit{resource.resource};
    if (node.IsMap()) {  // {soft: N, hard: M}; a side left out is the other one
        reader.check_keys(node, kSoftHardKeys, path);
        const YAML::Node soft = node["soft"], hard = node["hard"];
        if (!soft && !hard) {
            reader.error(node, path + ": expected {soft: N, hard: M}");
            return std::nullopt;
        }
        auto s = soft ? read_value(reader, soft, path + ".soft", resource) : std::nullopt;
        auto h = hard ? read_value(reader, hard, path + ".hard", resource) : std::nullopt;
        if ((soft && !s) || (hard && !h)) return std::nullopt;
        limit.soft = s ? *s : *h;
        limit.hard = h ? *h : *s;
    } else {
        auto text = reader.string(node, path);
        if (!text) return std::nullopt;
        auto colon = text->find(':');  // systemd's SOFT:HARD
        auto s = parse_value(std::string_view(*text).substr(0, colon), resource);
        auto h = colon == std::string::npos ? s : parse_value(std::string_view(*text).substr(colon + 1), resource);
        if (!s || !h) {
            reader.error(node, path + ": expected " + a_value_of(resource) + ", unlimited, SOFT:HARD or {soft, hard}, got '" +
                                   *text + "'");
            return std::nullopt;
        }
        limit.soft = *s;
        limit.hard = *h;
    }
    if (limit.soft > limit.hard) {
        reader.error(node, path + ": the soft limit (" + format_limit({0, limit.soft, limit.soft}) +
                               ") is above the hard one (" + format_limit({0, limit.hard, limit.hard}) + ")");
        return std::nullopt;
    }
    return limit;
}

}  // namespace

std::optional<int> parse_umask(YamlReader& reader, const YAML::Node& node, const std::string& path) {
    auto text = reader.string(node, path);
    if (!text) return std::nullopt;
    int value = 0;
    bool octal = !text->empty() && text->size() <= 4;
    for (char c : *text) {
        octal = octal && c >= '0' && c <= '7';
        if (!octal) break;  // a long run of digits would overflow `value`
        value = value * 8 + (c - '0');
    }
    if (!octal || value > 0777) {
        reader.error(node, path + ": expected an octal mode from 0000 to 0777, e.g. 0027, got '" + *text + "'");
        return std::nullopt;
    }
    return value;
}

void parse_limits(YamlReader& reader, const YAML::Node& node, const std::string& path,
                  std::vector<ResourceLimit>& limits) {
    if (!reader.expect_map(node, path)) return;
    limits.clear();
    reader.for_each_entry(node, path, [&](const std::string& key, const YAML::Node& value) {
        const ResourceName* resource = find_resource(key);
        if (!resource) {
            std::string hint = reader.suggesting() ? did_you_mean(key, limit_names()) : "";
            reader.error(value, path + ": unknown limit '" + key + "'" +
                                    (hint.empty() ? " (known: " + join_names() + ")" : hint));
            return;
        }
        if (auto limit = read_limit(reader, value, path + "." + key, *resource)) limits.push_back(*limit);
    });
}

}  // namespace tend
