#include "tend/cli/supervisord_import.hpp"

#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "tend/cli/supervisord_ini.hpp"
#include "tend/config/service_parser.hpp"

namespace tend {
namespace {

std::string yaml_string(const std::string& s) { return nlohmann::json(s).dump(); }

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot read: " + std::strerror(errno));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// One service as it will be written: keys in order, and notes for what did not carry over.
struct Service {
    std::string name;
    std::vector<std::pair<std::string, std::string>> keys;  // key, YAML value
    std::vector<std::string> notes;
    int priority = 999;  // supervisord's default
};

void note(Service& service, std::string text) {
    if (std::find(service.notes.begin(), service.notes.end(), text) == service.notes.end())
        service.notes.push_back(std::move(text));
}

// One `%(name)FLAGSs` reference's value, formatted as Python's % operator would
// for the conversions supervisord configs use: s, and d/i with a width and a 0 flag.
std::string format_reference(const std::string& value, const std::string& spec) {
    const char conversion = spec.empty() ? 's' : spec.back();
    if (conversion != 'd' && conversion != 'i') return value;
    const std::string flags = spec.substr(0, spec.size() - 1);
    const bool zero = !flags.empty() && flags[0] == '0';
    const std::size_t width = flags.empty() ? 0 : static_cast<std::size_t>(std::atoi(flags.c_str()));
    std::string digits = std::to_string(std::atoll(value.c_str()));
    return digits.size() >= width ? digits : std::string(width - digits.size(), zero ? '0' : ' ') + digits;
}

// supervisord expands %(name)s (and %(name)02d) in values: ENV_X from its
// environment, here (the config's directory), program_name, group_name,
// host_node_name, process_num.
std::string expand(const std::string& value, const std::map<std::string, std::string>& names, Service& service) {
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value.compare(i, 2, "%%") == 0) {
            out += '%';
            ++i;
            continue;
        }
        const auto close = value.find(')', i);
        auto end = close == std::string::npos ? close : value.find_first_of("sdirfgeEGxXoc", close + 1);
        if (value.compare(i, 2, "%(") != 0 || end == std::string::npos) {
            out += value[i];
            continue;
        }
        const std::string name = value.substr(i + 2, close - i - 2);
        const std::string spec = value.substr(close + 1, end - close);
        const std::string written = value.substr(i, end + 1 - i);
        if (name.starts_with("ENV_")) {
            const char* env = std::getenv(name.c_str() + 4);
            note(service, written + " " + (env ? "was expanded from the environment `tend import` ran in"
                                                : "is not set where `tend import` ran: left empty") +
                              "; tend passes its own environment to every service, so a command can also say $" +
                              name.substr(4));
            out += format_reference(env ? env : "", spec);
        } else if (auto it = names.find(name); it != names.end()) {
            out += format_reference(it->second, spec);
        } else {
            note(service, written + " is not known to tend import: kept as written");
            out += written;
        }
        i = end;
    }
    return out;
}

// Python's shlex.split in POSIX mode, which supervisord uses for `command`: no shell runs it.
std::vector<std::string> split_command(const std::string& command) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < command.size(); ++i) {
        char c = command[i];
        if (quote == '\'') {
            if (c == '\'') quote = 0;
            else word += c;
        } else if (quote == '"') {
            if (c == '"') quote = 0;
            else if (c == '\\' && i + 1 < command.size() && std::string("\\\"$`\n").find(command[i + 1]) != std::string::npos)
                word += command[++i];
            else word += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == '\\' && i + 1 < command.size()) {
            word += command[++i];
            in_word = true;
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (quote) throw std::runtime_error("unbalanced quote in command: " + command);
    if (in_word) words.push_back(word);
    return words;
}

// `KEY="value",KEY2=plain,KEY3='x'`, supervisord's environment= format.
std::vector<std::pair<std::string, std::string>> split_environment(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (std::isspace(static_cast<unsigned char>(text[i])) || text[i] == ',')) ++i;
        auto eq = text.find('=', i);
        if (i >= text.size() || eq == std::string::npos) break;
        std::string key = text.substr(i, eq - i);
        key.erase(key.find_last_not_of(" \t\n") + 1);
        i = eq + 1;
        std::string value;
        if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
            char q = text[i++];
            auto end = text.find(q, i);
            if (end == std::string::npos) throw std::runtime_error("unbalanced quote in environment: " + text);
            value = text.substr(i, end - i);
            i = end + 1;
        } else {
            auto end = text.find(',', i);
            if (end == std::string::npos) end = text.size();
            value = text.substr(i, end - i);
            value.erase(value.find_last_not_of(" \t\n") + 1);
            i = end;
        }
        out.emplace_back(key, value);
    }
    return out;
}

bool truthy(const std::string& v) {
    std::string s = v;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s == "true" || s == "yes" || s == "on" || s == "1";
}

// Where supervisord's own log goes when the program's does not go to a file of its own.
bool to_container_stream(const std::string& path) {
    return path.empty() || path == "AUTO" || path == "NONE" || path == "/dev/stdout" || path == "/dev/stderr" ||
           path == "/dev/fd/1" || path == "/dev/fd/2" || path == "/proc/self/fd/1" || path == "/proc/self/fd/2";
}

std::string seconds(const std::string& v) { return yaml_string(v + "s"); }

// Options carried over together, where the others they go with are read
// (the log files, the command and its environment), or noted as a whole
// (priority, numprocs): option() passes them over.
const std::set<std::string> kKeysReadTogether = {"redirect_stderr", "stdout_logfile_maxbytes", "stdout_logfile_backups",
                                                   "stderr_logfile", "stderr_logfile_maxbytes", "stderr_logfile_backups",
                                                   "stopasgroup", "killasgroup", "priority", "numprocs", "numprocs_start",
                                                   "process_name", "environment", "command", "stdout_logfile"};

class Importer {
public:
    explicit Importer(const ImportOptions& options) : options_(options) {
        char host[256] = "";
        if (gethostname(host, sizeof host - 1) == 0) host_ = host;  // else %(host_node_name)s is empty
    }

    void read(const std::string& path, bool main);
    void order_by_priority();
    std::string write() const;

private:
    void program(const IniSection& section, const std::string& here);
    void logs(const IniSection& section, Service& service, const std::map<std::string, std::string>& names);
    void option(const IniEntry& e, Service& service, const std::map<std::string, std::string>& names);

    ImportOptions options_;
    std::string host_;  // %(host_node_name)s
    std::string main_path_;
    std::vector<Service> services_;
    std::vector<std::string> settings_;   // "key: value" lines
    std::vector<std::string> top_notes_;  // comments before services:
    std::vector<std::pair<std::string, std::string>> global_environment_;  // [supervisord] environment=
};

void Importer::read(const std::string& path, bool main) {
    const IniFile ini = parse_ini(read_text(path), path);
    const std::string here = std::filesystem::absolute(path).parent_path().string();
    if (main) main_path_ = path;
    for (const IniSection& section : ini.sections) {
        const std::string& name = section.name;
        const std::string where = path + ":" + std::to_string(section.line);
        if (name.starts_with("program:")) {
            program(section, here);
        } else if (name == "include" && main) {
            const IniEntry* files = section.find("files");
            if (!files) continue;
            std::istringstream patterns(files->value);
            std::string pattern;
            while (patterns >> pattern) {
                if (pattern[0] != '/') pattern = here + "/" + pattern;
                glob_t matches{};
                const int found = glob(pattern.c_str(), GLOB_ERR, nullptr, &matches);
                if (found == 0)
                    for (std::size_t i = 0; i < matches.gl_pathc; ++i) read(matches.gl_pathv[i], false);
                globfree(&matches);
                if (found != 0 && found != GLOB_NOMATCH)  // as supervisord, a pattern that matches nothing is fine
                    throw std::runtime_error(where + ": [include] files=" + pattern + ": cannot read: " +
                                             std::strerror(found == GLOB_NOSPACE ? ENOMEM : errno));
            }
        } else if (name.starts_with("group:")) {
            const IniEntry* programs = section.find("programs");
            top_notes_.push_back("[" + name + "] (" + where + ") programs=" + (programs ? programs->value : "") +
                                 ": tend has no groups; name the services together (`tendctl restart a b`)");
        } else if (name.starts_with("eventlistener:") || name.starts_with("fcgi-program:")) {
            top_notes_.push_back("[" + name + "] (" + where + ") not carried over: tend has no " +
                                 (name.starts_with("eventlistener:") ? "event listeners (health: checks and on_fatal: "
                                                                       "cover the usual uses)"
                                                                     : "FastCGI socket sharing; run the program as a "
                                                                       "service listening itself"));
        } else if (name == "unix_http_server") {
            if (const IniEntry* file = section.find("file")) settings_.push_back("control_socket: " + yaml_string(file->value));
            if (const IniEntry* chown = section.find("chown"); chown && chown->value.find(':') != std::string::npos)
                settings_.push_back("control_group: " + yaml_string(chown->value.substr(chown->value.find(':') + 1)));
        } else if (name == "supervisord") {
            if (const IniEntry* env = section.find("environment")) global_environment_ = split_environment(env->value);
            top_notes_.push_back("[supervisord] (" + where + "): tend is always in the foreground and logs to stderr; "
                                 "its settings (logfile, pidfile, nodaemon, ...) have no counterpart" +
                                 std::string(global_environment_.empty() ? "" : "; its environment= went to every service"));
        } else if (name != "supervisorctl" && !name.starts_with("rpcinterface:") && name != "inet_http_server") {
            top_notes_.push_back("[" + name + "] (" + where + ") not carried over: unknown section");
        }
    }
}

void Importer::program(const IniSection& section, const std::string& here) {
    Service service;
    const std::string program_name = section.name.substr(std::string("program:").size());
    service.name = program_name;
    if (!valid_service_name(service.name)) {
        std::replace_if(service.name.begin(), service.name.end(),
                        [](char c) { return !(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '@'); },
                        '-');
        service.notes.push_back("renamed from '" + program_name + "': tend's names are letters, digits, - _ . @");
    }
    const std::map<std::string, std::string> names = {
        {"program_name", program_name}, {"group_name", program_name}, {"here", here},
        {"host_node_name", host_},      {"process_num", "0"},         {"numprocs", "1"}};
    if (const IniEntry* command = section.find("command")) {
        nlohmann::json argv = split_command(expand(command->value, names, service));
        service.keys.emplace_back("command", argv.dump());
    } else {
        service.notes.push_back("no command= in [" + section.name + "]: add one");
    }
    auto environment = global_environment_;
    if (const IniEntry* env = section.find("environment"))
        for (auto& [k, v] : split_environment(env->value)) environment.emplace_back(k, expand(v, names, service));
    if (!environment.empty()) {
        nlohmann::ordered_json map = nlohmann::ordered_json::object();
        for (auto& [k, v] : environment) map[k] = v;
        service.keys.emplace_back("environment", map.dump());
    }
    for (const IniEntry& e : section.entries) option(e, service, names);
    logs(section, service, names);
    if (const IniEntry* p = section.find("priority")) service.priority = std::atoi(p->value.c_str());
    if (const IniEntry* n = section.find("numprocs"); n && n->value != "1")
        service.notes.push_back("numprocs=" + n->value + " not carried over: one process per service in tend; define " +
                                service.name + "-1 ... " + service.name + "-" + n->value);
    if (const IniEntry* p = section.find("process_name"); p && p->value != "%(program_name)s")
        service.notes.push_back("process_name=" + p->value + " not carried over: a service's name is its key");
    const IniEntry* as_group = section.find("stopasgroup");
    if (as_group && !truthy(as_group->value)) service.keys.emplace_back("kill_mode", yaml_string("process"));
    services_.push_back(std::move(service));
}

void Importer::option(const IniEntry& e, Service& service, const std::map<std::string, std::string>& names) {
    if (kKeysReadTogether.count(e.key)) return;
    const std::string v = expand(e.value, names, service);
    if (e.key == "directory") service.keys.emplace_back("working_dir", yaml_string(v));
    else if (e.key == "user") service.keys.emplace_back("user", yaml_string(v));
    else if (e.key == "umask") service.keys.emplace_back("umask", yaml_string(v));
    else if (e.key == "autostart") service.keys.emplace_back("autostart", truthy(v) ? "true" : "false");
    else if (e.key == "autorestart")
        service.keys.emplace_back("restart", yaml_string(v == "unexpected" ? "on-failure" : truthy(v) ? "always" : "never"));
    else if (e.key == "startsecs") service.keys.emplace_back("min_uptime", seconds(v));
    else if (e.key == "startretries") service.keys.emplace_back("max_restarts", v);
    else if (e.key == "exitcodes") {
        std::string list = v;
        std::replace(list.begin(), list.end(), ',', ' ');
        std::istringstream codes(list);
        nlohmann::json out = nlohmann::json::array();
        for (int code; codes >> code;) out.push_back(code);
        service.keys.emplace_back("success_exit_codes", out.dump());
    } else if (e.key == "stopsignal") service.keys.emplace_back("stop_signal", yaml_string(v));
    else if (e.key == "stopwaitsecs") service.keys.emplace_back("stop_timeout", seconds(v));
    else service.notes.push_back(e.key + "=" + e.value + " not carried over: no counterpart in tend");
}

// stdout_logfile to a file of its own becomes log_file; to the container's streams, tend's default.
void Importer::logs(const IniSection& section, Service& service, const std::map<std::string, std::string>& names) {
    auto value = [&](const char* key) {
        const IniEntry* e = section.find(key);
        return e ? expand(e->value, names, service) : std::string();
    };
    const std::string out = value("stdout_logfile"), err = value("stderr_logfile");
    const bool redirect = truthy(value("redirect_stderr"));
    if (to_container_stream(out)) {
        if (!to_container_stream(err))
            service.notes.push_back("stderr_logfile=" + err + " not carried over: tend's log_file holds both streams; "
                                    "stderr is on tend's stdout, labelled '" + service.name + " !'");
        return;
    }
    service.keys.emplace_back("log_file", yaml_string(out));
    if (std::string max = value("stdout_logfile_maxbytes"); !max.empty()) {
        if (max == "0") service.notes.push_back("stdout_logfile_maxbytes=0 (never rotate): tend always rotates; set log_max_size");
        else service.keys.emplace_back("log_max_size", yaml_string(max));
    }
    if (std::string keep = value("stdout_logfile_backups"); !keep.empty()) service.keys.emplace_back("log_keep", keep);
    if (!redirect && !err.empty() && err != out && !to_container_stream(err))
        service.notes.push_back("stderr_logfile=" + err + " not carried over: tend's log_file holds both streams");
}

// Each priority level depends on the one below it: started after it, stopped before it.
void Importer::order_by_priority() {
    std::map<int, std::vector<const Service*>> levels;
    for (const Service& s : services_) levels[s.priority].push_back(&s);
    std::map<std::string, std::vector<std::string>> below;
    const std::vector<const Service*>* previous = nullptr;
    for (const auto& [priority, level] : levels) {
        if (previous)
            for (const Service* s : level)
                for (const Service* p : *previous) below[s->name].push_back(p->name);
        previous = &level;
    }
    for (Service& s : services_)
        if (!below[s.name].empty()) s.keys.emplace_back("depends_on", nlohmann::json(below[s.name]).dump());
}

std::string Importer::write() const {
    std::ostringstream out;
    out << "# Imported from " << main_path_ << " by `tend import`. Check it with `tend check -c FILE`;\n"
        << "# what could not be carried over is in comments where it would have gone.\n";
    for (const auto& note : top_notes_) out << "# " << note << "\n";
    if (!options_.priority_order) {
        std::set<int> priorities;
        for (const Service& s : services_) priorities.insert(s.priority);
        if (priorities.size() > 1)
            out << "# priority= orders supervisord's starts but is no dependency, so it was not carried over; "
                   "use depends_on:, or import with --priority-order\n";
    }
    if (!settings_.empty()) {
        out << "settings:\n";
        for (const auto& line : settings_) out << "  " << line << "\n";
    }
    out << "services:" << (services_.empty() ? " {}" : "") << "\n";
    for (const Service& s : services_) {
        out << "  " << s.name << ":\n";
        for (const auto& note : s.notes) out << "    # " << note << "\n";
        for (const auto& [key, value] : s.keys) out << "    " << key << ": " << value << "\n";
    }
    return out.str();
}

}  // namespace

std::string import_supervisord(const std::string& path, const ImportOptions& options) {
    Importer importer(options);
    importer.read(path, true);
    if (options.priority_order) importer.order_by_priority();
    return importer.write();
}

}  // namespace tend
