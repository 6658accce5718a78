#include "tend/config/probe_parser.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <stdexcept>

#include "tend/util/pattern.hpp"
#include "tend/util/port_number.hpp"

namespace tend {
namespace {

const std::string kReadyKeys[] = {"notify", "fd", "notify_access", "watchdog", "exec", "tcp", "http", "log",
                                  "interval", "probe_timeout", "timeout"};
const std::string kHealthKeys[] = {"exec", "tcp", "http", "interval", "timeout", "retries", "start_period", "start_interval"};
const std::string kNotifyAccess[] = {"main", "all"};
const std::string kProbeKeys[] = {"exec", "tcp", "http", "log"};

// "HOST:PORT", "[::1]:PORT" or a bare port (on 127.0.0.1).
bool parse_host_port(std::string_view text, ProbeSpec& probe) {
    auto colon = text.rfind(':');
    std::string_view host = colon == std::string_view::npos ? "127.0.0.1" : text.substr(0, colon);
    auto port = parse_port_number(colon == std::string_view::npos ? text : text.substr(colon + 1));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (!port || host.empty()) return false;
    // Names other than localhost would need a lookup that can block tend's loop.
    std::string numeric(host == "localhost" ? "127.0.0.1" : host);
    in6_addr any{};
    if (inet_pton(AF_INET, numeric.c_str(), &any) != 1 && inet_pton(AF_INET6, numeric.c_str(), &any) != 1) return false;
    probe.host = std::string(host);
    probe.port = *port;
    return true;
}

bool parse_http_url(std::string_view url, ProbeSpec& probe) {
    constexpr std::string_view scheme = "http://";
    if (url.substr(0, scheme.size()) != scheme) return false;
    url.remove_prefix(scheme.size());
    auto slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    probe.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    if (authority.find(':') == std::string_view::npos || authority.back() == ']')
        return parse_host_port(std::string(authority) + ":80", probe);
    return parse_host_port(authority, probe);
}

// The check given under one of kProbeKeys, if any; two of them is an error.
void parse_probe_kind(YamlReader& reader, const YAML::Node& node, const std::string& path, ProbeSpec& probe,
                      bool allow_log) {
    reader.for_each_entry(node, path, [&](const std::string& key, const YAML::Node& value) {
        if (std::find(std::begin(kProbeKeys), std::end(kProbeKeys), key) == std::end(kProbeKeys)) return;
        if (key == "log" && !allow_log) return;
        const std::string at = path + "." + key;
        if (probe.kind != ProbeSpec::Kind::none) {
            reader.error(value, at + ": only one check may be given (already " + kProbeKindNames[static_cast<int>(probe.kind)] + ")");
            return;
        }
        if (key == "exec") {
            probe.kind = ProbeSpec::Kind::exec;
            if (value.IsScalar() && !value.Scalar().empty()) probe.argv = {"/bin/sh", "-c", value.Scalar()};
            else if (auto argv = reader.string_list(value, at); argv && !argv->empty() && !(*argv)[0].empty()) {
                if (argv->front() == "NONE")
                    reader.error(value, at + ": NONE turns a compose healthcheck off; for no check, leave " +
                                            path.substr(path.rfind('.') + 1) + " out");
                else if (auto error = unwrap_compose_test(*argv); !error.empty()) reader.error(value, at + ": " + error);
                else probe.argv = *argv;
            } else reader.error(value, at + ": expected a command: a list of arguments or a shell string");
        } else if (key == "tcp") {
            probe.kind = ProbeSpec::Kind::tcp;
            auto text = reader.string(value, at);
            if (text && !parse_host_port(*text, probe))
                reader.error(value, at + ": expected ADDRESS:PORT with an IP address or localhost, e.g. 127.0.0.1:5432");
        } else if (key == "http") {
            probe.kind = ProbeSpec::Kind::http;
            auto text = reader.string(value, at);
            if (text && !parse_http_url(*text, probe))
                reader.error(value, at + ": expected an http:// URL with an IP address or localhost, e.g. http://127.0.0.1:8080/healthz");
        } else {
            probe.kind = ProbeSpec::Kind::log;
            auto text = reader.string(value, at);
            if (!text) return;
            try {
                Pattern check(*text);
                probe.pattern = *text;
            } catch (const std::invalid_argument& e) {
                reader.error(value, at + ": invalid regular expression: " + e.what());
            }
        }
    });
}

void parse_duration_key(YamlReader& reader, const YAML::Node& node, const std::string& path, const char* key,
                        Duration& out, bool positive) {
    const YAML::Node value = node[key];
    if (!value) return;
    auto d = reader.duration(value, path + "." + key);
    if (!d) return;
    if (positive && d->count() == 0) reader.error(value, path + "." + key + ": must be more than 0");
    else out = *d;
}

}  // namespace

std::string unwrap_compose_test(std::vector<std::string>& argv) {
    if (argv.empty()) return "";
    if (argv.front() == "CMD") {
        if (argv.size() < 2 || argv[1].empty()) return "expected a program after CMD, e.g. [CMD, pg_isready]";
        argv.erase(argv.begin());
    } else if (argv.front() == "CMD-SHELL") {
        if (argv.size() != 2 || argv[1].empty())
            return "CMD-SHELL takes one shell command string, e.g. [CMD-SHELL, \"pg_isready || exit 1\"]";
        argv = {"/bin/sh", "-c", argv[1]};
    }
    return "";
}

std::span<const std::string> ready_key_names() { return kReadyKeys; }
std::span<const std::string> health_key_names() { return kHealthKeys; }
std::span<const std::string> notify_access_names() { return kNotifyAccess; }

void parse_ready_spec(YamlReader& reader, const YAML::Node& node, const std::string& path, ReadySpec& ready) {
    if (!reader.expect_map(node, path)) return;
    reader.check_keys(node, kReadyKeys, path);
    if (const YAML::Node notify = node["notify"])
        if (auto c = reader.choice(notify, path + ".notify", std::span(kNotifyKindNames).subspan(1)))
            ready.notify = static_cast<NotifyKind>(*c + 1);
    if (const YAML::Node fd = node["fd"]) {
        if (auto n = reader.integer(fd, path + ".fd", 3, 1023)) ready.fd = static_cast<int>(*n);
        if (ready.notify != NotifyKind::fd) reader.error(fd, path + ".fd: only with notify: fd");
    }
    if (const YAML::Node access = node["notify_access"]) {
        if (auto c = reader.choice(access, path + ".notify_access", kNotifyAccess)) ready.notify_all = *c == 1;
        if (ready.notify != NotifyKind::systemd) reader.error(access, path + ".notify_access: only with notify: systemd");
    }
    parse_duration_key(reader, node, path, "watchdog", ready.watchdog, true);
    if (node["watchdog"] && ready.notify != NotifyKind::systemd)
        reader.error(node["watchdog"], path + ".watchdog: only with notify: systemd (it listens for WATCHDOG=1)");
    parse_probe_kind(reader, node, path, ready.probe, true);
    if (ready.notify != NotifyKind::none && ready.probe.kind != ProbeSpec::Kind::none)
        reader.error(node, path + ": give either notify or one check (exec, tcp, http, log), not both");
    parse_duration_key(reader, node, path, "interval", ready.probe.interval, true);
    parse_duration_key(reader, node, path, "probe_timeout", ready.probe.timeout, true);
    parse_duration_key(reader, node, path, "timeout", ready.timeout, false);
    if (!ready.external() && !node["notify"]) reader.error(node, path + ": say how readiness is known: notify (systemd, fd) or a check (exec, tcp, http, log)");
}

void parse_health_spec(YamlReader& reader, const YAML::Node& node, const std::string& path, HealthSpec& health) {
    if (!reader.expect_map(node, path)) return;
    reader.check_keys(node, kHealthKeys, path);
    health.probe.interval = 10s;
    parse_probe_kind(reader, node, path, health.probe, false);
    if (health.probe.kind == ProbeSpec::Kind::none) reader.error(node, path + ": give one check: exec, tcp or http");
    parse_health_timing(reader, node, path, health);
}

void parse_health_timing(YamlReader& reader, const YAML::Node& node, const std::string& path, HealthSpec& health) {
    parse_duration_key(reader, node, path, "interval", health.probe.interval, true);
    parse_duration_key(reader, node, path, "timeout", health.probe.timeout, true);
    parse_duration_key(reader, node, path, "start_period", health.start_period, false);
    parse_duration_key(reader, node, path, "start_interval", health.start_interval, true);
    if (const YAML::Node retries = node["retries"])
        if (auto n = reader.integer(retries, path + ".retries", 1, 1000)) health.retries = static_cast<int>(*n);
}

std::string describe(const ProbeSpec& probe) {
    switch (probe.kind) {
        case ProbeSpec::Kind::none: return "none";
        case ProbeSpec::Kind::exec: {
            std::string out = "exec";
            for (const auto& arg : probe.argv) out += " " + arg;
            return out;
        }
        case ProbeSpec::Kind::tcp: return "tcp " + probe.host + ":" + std::to_string(probe.port);
        case ProbeSpec::Kind::http: return "http " + probe.host + ":" + std::to_string(probe.port) + probe.path;
        case ProbeSpec::Kind::log: return "log /" + probe.pattern + "/";
    }
    return "?";
}

}  // namespace tend
