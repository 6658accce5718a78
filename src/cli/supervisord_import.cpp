#include "tend/cli/supervisord_import.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "tend/cli/supervisord_ini.hpp"
#include "tend/cli/supervisord_values.hpp"
#include "tend/config/replicas.hpp"
#include "tend/config/service_parser.hpp"

namespace tend {
namespace {

std::string yaml_string(const std::string& s) { return nlohmann::json(s).dump(); }

// A name tend takes for a program's: other characters become '-', and it is
// cut to leave room for a "-2" when two programs come out the same.
std::string name_for(const std::string& program_name) {
    if (valid_service_name(program_name)) return program_name;
    std::string name = program_name.substr(0, 60);
    std::replace_if(name.begin(), name.end(), [](char c) { return !valid_service_name_char(c); }, '-');
    return name.empty() || name == "all" ? "program-" + name : name;
}

// A path as the importer compares them: absolute and normalized, without
// resolving links (the fuzz target's paths are not on disk).
std::string normalized(const std::string& path) { return std::filesystem::absolute(path).lexically_normal().string(); }

// `parse` of an entry's value; what it throws names the entry's file and line.
template <typename Parse>
auto parsed(const IniEntry& entry, Parse parse) {
    try {
        return parse(entry.value);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(entry.file + ":" + std::to_string(entry.line) + ": " + entry.key + ": " + e.what());
    }
}

// One service as it will be written: keys in order, and notes for what did not carry over.
struct Service {
    std::string name;
    std::vector<std::pair<std::string, std::string>> keys;  // key, YAML value
    std::vector<std::string> notes;
    std::unordered_set<std::string> noted;  // what note() added: each once
    int priority = 999;  // supervisord's default
    std::set<std::string> variables;  // each X of its %(ENV_X)s
    int replicas = 0;                 // numprocs, when more than one: replicas:
    long numprocs_start = 0;          // supervisord's first process_num
};

void note(Service& service, std::string text) {
    if (service.noted.insert(text).second) service.notes.push_back(std::move(text));
}

// A value as tend will read it: supervisord's own references resolved, and
// %(ENV_X)s written ${X}, which tend takes from its environment when it starts
// (as supervisord did), not frozen to what the importing machine has.
struct Value {
    std::string text;
    std::vector<std::string> variables;  // each X of a %(ENV_X)s, as written
    bool splits = false;                 // a %(ENV_X)s is a whole unquoted word: supervisord split its value into words
    std::string numbered;                // a %(process_num)SPEC that sh computes (the command's ${process_num}): SPEC
};

// Where a command's %(process_num)SPEC goes when interpolation cannot say it: sh's $process_num.
constexpr const char* kShellProcessNum = "${process_num}";

// %(process_num)SPEC of a replicated program: ${TEND_REPLICA} when that is the
// number as written; else, in a command, sh's $process_num (computed by
// command_for), and elsewhere ${TEND_REPLICA} with a note, since tend's
// interpolation neither adds nor pads.
void process_num(Value& out, const std::string& spec, bool in_command, Service& service) {
    const bool plain = spec == "d" || spec == "s" || spec == "i";
    if (plain && service.numprocs_start == 0) {
        out.text += "${TEND_REPLICA}";
    } else if (in_command) {
        out.text += kShellProcessNum;
        out.numbered = spec;
    } else {
        out.text += "${TEND_REPLICA}";
        note(service, "%(process_num)" + spec + " outside command= became ${TEND_REPLICA}, which counts from 0" +
                          (plain ? "" : ", unpadded") + (service.numprocs_start ? " (supervisord's from numprocs_start=" +
                                                            std::to_string(service.numprocs_start) + ")" : "") +
                          ": tend's interpolation cannot add or pad");
    }
}

bool variable_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// tend reads ${...} and $$ in every string: a '$' of the original is written
// $$, except before a name, where tend leaves `$NAME` to the service's shell.
void append_literal(std::string& out, char c, char next) {
    out += c;
    if (c == '$' && !(variable_char(next) && !std::isdigit(static_cast<unsigned char>(next)))) out += '$';
}

std::string literal(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) append_literal(out, text[i], i + 1 < text.size() ? text[i + 1] : '\0');
    return out;
}

// A %(ENV_X)s alone between spaces (or the value's ends), where shlex splits what it expands to.
bool whole_word(const std::string& value, std::size_t begin, std::size_t end) {
    auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    return (begin == 0 || space(value[begin - 1])) && (end == value.size() || space(value[end]));
}

// supervisord expands %(name)s (and %(name)02d) in values: ENV_X from its
// environment, here (the config's directory), program_name, group_name,
// host_node_name, process_num.
Value expand(const std::string& value, const std::map<std::string, std::string>& names, Service& service,
             bool in_command = false) {
    constexpr auto npos = std::string::npos;
    // The next ')' and the conversion after it, each searched again only once
    // the scan has passed it: a long value is read once, however many "%(" it has.
    std::size_t close = 0, end = 0;
    auto refresh = [](std::size_t& found, std::size_t from, auto search) {
        if (found != npos && found < from) found = search(from);
    };
    Value out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value.compare(i, 2, "%%") == 0) {
            out.text += '%';
            ++i;
            continue;
        }
        const bool reference = value.compare(i, 2, "%(") == 0;
        if (reference) {
            refresh(close, i + 2, [&](std::size_t from) { return value.find(')', from); });
            if (close != npos) refresh(end, close + 1, [&](std::size_t from) { return value.find_first_of("sdirfgeEGxXoc", from); });
        }
        if (!reference || close == npos || end == npos) {
            append_literal(out.text, value[i], i + 1 < value.size() ? value[i + 1] : '\0');
            continue;
        }
        const std::string name = value.substr(i + 2, close - i - 2);
        const std::string spec = value.substr(close + 1, end - close);
        const std::string written = value.substr(i, end + 1 - i);
        if (name.starts_with("ENV_") && name.size() > 4 && std::all_of(name.begin() + 4, name.end(), variable_char)) {
            out.text += "${" + name.substr(4) + "}";
            out.variables.push_back(name.substr(4));
            service.variables.insert(name.substr(4));
            out.splits = out.splits || whole_word(value, i, end + 1);
            if (spec != "s")
                note(service, written + " became ${" + name.substr(4) + "}, the variable's value as it is: tend does not "
                                        "format it as %" + spec + " would");
        } else if (name == "process_num" && service.replicas > 1) {
            process_num(out, spec, in_command, service);
        } else if (auto it = names.find(name); it != names.end()) {
            out.text += literal(format_reference(it->second, spec));
        } else {
            note(service, written + " is not known to tend import: kept as written");
            out.text += literal(written);
        }
        i = end;
    }
    return out;
}

// Where supervisord's own log goes when the program's does not go to a file of its own.
// (/proc/1/fd/1 is the container's stdout as PID 1 holds it: a program run by
// supervisord under `docker exec` or as another user writes there.)
bool to_container_stream(const std::string& path) {
    static const std::set<std::string> streams = {"",          "AUTO",      "NONE",         "/dev/stdout",  "/dev/stderr",
                                                   "/dev/fd/1", "/dev/fd/2", "/proc/1/fd/1", "/proc/1/fd/2", "/proc/self/fd/1",
                                                   "/proc/self/fd/2"};
    return streams.contains(path);
}

std::string seconds(const std::string& v) { return yaml_string(v + "s"); }

// A count as a YAML number when it is one; anything else quoted, for tend check to refuse.
std::string count(const std::string& v) {
    const bool digits = !v.empty() && v.size() < 10 && std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); });
    return digits ? v : yaml_string(v);
}

// A word as /bin/sh reads it back: plain when it has no character sh treats specially.
std::string shell_word(const std::string& word) {
    const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](unsigned char c) {
        return std::isalnum(c) || std::string_view("_-./,:=@%+").find(static_cast<char>(c)) != std::string_view::npos;
    });
    if (plain) return word;
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// One argv word for /bin/sh: its ${X} references (those a '$' of the original,
// written $$, does not escape) become "$X", expanded by sh; the rest is quoted.
std::string shell_word_with_variables(const std::string& word) {
    std::string script, literal_part;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (word[i] == '$' && i + 1 < word.size() && word[i + 1] == '$') {
            literal_part += "$$";
            ++i;
            continue;
        }
        const std::size_t close = word[i] == '$' && i + 1 < word.size() && word[i + 1] == '{' ? word.find('}', i) : std::string::npos;
        if (close == std::string::npos) {
            literal_part += word[i];
            continue;
        }
        if (!literal_part.empty()) script += shell_word(literal_part);
        literal_part.clear();
        script += "\"$" + word.substr(i + 2, close - i - 2) + "\"";
        i = close;
    }
    return literal_part.empty() && !script.empty() ? script : script + shell_word(literal_part);
}

// command= as tend's argv. A %(ENV_X)s that is a whole word was split into
// words by supervisord (`command=%(ENV_APP_COMMAND)s`): no argv can say that,
// so the command becomes a /bin/sh string, in which sh splits $X the same way
// and expands every other variable from the service's environment.
std::string command_for(const Value& command, Service& service) {
    const std::vector<std::string> words = split_command(command.text);
    if (!command.splits && command.numbered.empty()) return nlohmann::json(words).dump();
    std::string script = "exec";
    if (!command.numbered.empty()) {
        // $$ is a $ for tend's interpolation; sh adds numprocs_start and pads as supervisord did.
        const std::string sum = service.numprocs_start == 0
                                    ? "$TEND_REPLICA"
                                    : "$$((TEND_REPLICA + " + std::to_string(service.numprocs_start) + "))";
        const bool plain = command.numbered == "d" || command.numbered == "s" || command.numbered == "i";
        script = "process_num=" + (plain ? sum : "$$(printf %" + command.numbered + " " + sum + ")") + "; exec";
        note(service, "%(process_num)" + command.numbered + " in command= is $process_num, which /bin/sh computes from " +
                          "${TEND_REPLICA} (0-based)" + (service.numprocs_start ? " + numprocs_start " + std::to_string(service.numprocs_start) : "") +
                          (plain ? "" : ", formatted %" + command.numbered) + ": tend's interpolation cannot add or pad");
    }
    for (const std::string& word : words) {
        const bool variable = word.size() > 3 && word.starts_with("${") && word.back() == '}' &&
                              std::all_of(word.begin() + 2, word.end() - 1, variable_char);
        script += " " + (variable ? "$" + word.substr(2, word.size() - 3) : shell_word_with_variables(word));
    }
    if (command.splits)
        note(service, "a %(ENV_X)s that is a whole word of command= is split into words, as supervisord splits it: "
                      "the command runs through /bin/sh, which splits $X the same way");
    return yaml_string(script);
}

// An option whose value names a variable: tend substitutes ${X} when it
// starts, before it reads the value as a boolean, a number or a duration.
// False when the option is carried over as any other.
bool typed_from_variable(const IniEntry& e, const std::string& v, Service& service) {
    auto keep = [&](const std::string& key, const std::string& value, const std::string& why) {
        service.keys.emplace_back(key, yaml_string(value));
        if (!why.empty()) note(service, e.key + "=" + e.value + ": " + why);
        return true;
    };
    if (e.key == "autostart") return keep("autostart", v, "tend takes true, yes, on, false, no or off here (not 1 or 0)");
    if (e.key == "startsecs") return keep("min_uptime", v + "s", "");
    if (e.key == "stopwaitsecs") return keep("stop_timeout", v + "s", "");
    if (e.key == "startretries") return keep("max_restarts", v, "");
    if (e.key == "autorestart")
        return keep("restart", v, "tend takes always, on-failure or never here (supervisord's true, unexpected or false)");
    if (e.key == "exitcodes") {
        note(service, "exitcodes=" + e.value + " not carried over: tend's success_exit_codes is a list written in the config");
        return true;
    }
    return false;
}

// Options carried over together, where the others they go with are read
// (the log files, the command and its environment), or noted as a whole
// (priority, numprocs): option() passes them over.
const std::set<std::string> kKeysReadTogether = {"redirect_stderr", "stdout_logfile_maxbytes", "stdout_logfile_backups",
                                                   "stderr_logfile", "stderr_logfile_maxbytes", "stderr_logfile_backups",
                                                   "stopasgroup", "killasgroup", "priority", "numprocs", "numprocs_start",
                                                   "process_name", "environment", "command", "stdout_logfile"};

// numprocs and numprocs_start: replicas: N (written first), and where
// %(process_num)d starts. Returns numprocs as %(numprocs)d gives it.
std::string numbering(const IniSection& section, Service& service) {
    const IniEntry* start = section.find("numprocs_start");
    if (start) {
        char* end = nullptr;
        const long k = std::strtol(start->value.c_str(), &end, 10);
        if (*end == '\0' && !start->value.empty() && k >= 0 && k <= 1000000) service.numprocs_start = k;
        else service.notes.push_back("numprocs_start=" + start->value + " not carried over: not a number from 0 to 1000000");
    }
    const IniEntry* n = section.find("numprocs");
    if (!n || n->value == "1") return "1";
    char* end = nullptr;
    const long count = std::strtol(n->value.c_str(), &end, 10);
    if (*end != '\0' || n->value.empty() || count < 1 || count > kMaxReplicas) {
        service.notes.push_back("numprocs=" + n->value + " not carried over: tend's replicas: is a number from 0 to " +
                                std::to_string(kMaxReplicas));
        return n->value;
    }
    if (count == 1) return "1";
    service.replicas = static_cast<int>(count);
    service.keys.emplace_back("replicas", std::to_string(count));
    service.notes.push_back("numprocs=" + n->value + ": replicas: " + std::to_string(count) + ", instances " + service.name + "-0 ... " +
                            service.name + "-" + std::to_string(count - 1) + "; %(process_num)d is ${TEND_REPLICA}" +
                            (service.numprocs_start ? " + numprocs_start " + std::to_string(service.numprocs_start) : ""));
    return n->value;
}

class Importer {
public:
    Importer(const ImportOptions& options, const ImportSource& source) : options_(options), source_(source) {
        char host[256] = "";
        if (gethostname(host, sizeof host - 1) == 0) host_ = host;  // else %(host_node_name)s is empty
    }

    void read(const std::string& path, bool main);
    void import_programs();
    void order_by_priority();
    std::string write() const;

private:
    void http_server(const IniSection& section, const std::string& where);
    void include(const std::string& files, const std::string& directory, const std::string& where);
    void global_environment(const IniEntry& entry, const std::string& here);
    void add_program(const IniSection& section, const std::string& where, const std::string& here);
    void program(const IniSection& section, const std::string& here, std::vector<std::string> notes);
    void logs(const IniSection& section, Service& service, const std::map<std::string, std::string>& names);
    void option(const IniEntry& e, Service& service, const std::map<std::string, std::string>& names);

    ImportOptions options_;
    const ImportSource& source_;
    std::string host_;  // %(host_node_name)s
    std::string main_path_;
    std::vector<Service> services_;
    // [program:x] sections as supervisord's parser ends up with them: one per
    // name, a later file's options over an earlier's. Read before any is imported.
    struct Program {
        IniSection section;
        std::string here;
        std::vector<std::string> notes;
        std::unordered_map<std::string, std::size_t> entry_at;  // key -> its index in section.entries
    };
    std::vector<Program> programs_;
    std::unordered_map<std::string, std::size_t> program_at_;  // section name -> its index in programs_
    std::unordered_set<std::string> service_names_;            // taken by services_
    std::unordered_map<std::string, int> next_suffix_;         // wanted name -> the first "-N" not tried
    std::set<std::string> read_paths_;  // absolute, normalized: each file is read once
    std::vector<std::string> settings_;   // "key: value" lines
    std::vector<std::string> top_notes_;  // comments before services:
    std::vector<std::pair<std::string, std::string>> global_environment_;  // [supervisord] environment=
    std::set<std::string> global_variables_;                                // and the variables it names
};

void Importer::read(const std::string& path, bool main) {
    const IniFile ini = parse_ini(source_.read(path), path);
    const std::string absolute = normalized(path);
    const std::string directory = std::filesystem::path(absolute).parent_path().string();
    // The config's directory where supervisord would have read it: in the image.
    const std::string here = options_.root.image_path(directory);
    read_paths_.insert(absolute);
    if (main) main_path_ = path;
    for (const IniSection& section : ini.sections) {
        const std::string& name = section.name;
        const std::string where = path + ":" + std::to_string(section.line);
        if (name.starts_with("program:")) {
            add_program(section, where, here);
        } else if (name == "include" && main) {
            if (const IniEntry* files = section.find("files")) include(files->value, directory, where);
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
        } else if (name == "unix_http_server" || name == "inet_http_server") {
            http_server(section, where);
        } else if (name == "supervisord") {
            if (const IniEntry* env = section.find("environment")) global_environment(*env, here);
            top_notes_.push_back("[supervisord] (" + where + "): tend is always in the foreground and logs to stderr; "
                                 "its settings (logfile, pidfile, nodaemon, ...) have no counterpart" +
                                 std::string(global_environment_.empty() ? "" : "; its environment= went to every service"));
        } else if (name == "include") {
            top_notes_.push_back("[include] (" + where + ") not followed: supervisord reads [include] only in the "
                                 "main config");
        } else if (name != "supervisorctl" && !name.starts_with("rpcinterface:")) {
            top_notes_.push_back("[" + name + "] (" + where + ") not carried over: unknown section");
        }
    }
}

// [include] files=: globs, relative to the main config's directory (on this
// machine, where it was read), absolute ones under --root. One that matches
// nothing is said, in the output and on stderr: an import made outside the
// image would otherwise lose its programs without a word.
void Importer::include(const std::string& files, const std::string& directory, const std::string& where) {
    std::istringstream patterns(files);
    std::string pattern;
    while (patterns >> pattern) {
        std::vector<std::string> matches;
        try {
            matches = source_.glob(pattern[0] == '/' ? options_.root.host_path(pattern) : directory + "/" + pattern);
        } catch (const std::runtime_error& e) {
            throw std::runtime_error(where + ": [include] " + e.what());
        }
        if (matches.empty()) {
            const std::string said = "[include] (" + where + ") files=" + pattern + " matched nothing" +
                                     (options_.root.is_host() ? ": if the files are in an image, import with --root DIR "
                                                                "(the image's root file system)"
                                                              : " under " + options_.root.dir());
            top_notes_.push_back(said);
            if (options_.warn) options_.warn(said);
        }
        for (const std::string& match : matches) {
            if (read_paths_.contains(normalized(match)))
                top_notes_.push_back("[include] (" + where + ") " + match + ": already read, not read again");
            else
                read(match, false);
        }
    }
}

// [supervisord] environment=, which supervisord gives every program: its
// %(ENV_X)s and %(here)s resolved as a program's are.
void Importer::global_environment(const IniEntry& entry, const std::string& here) {
    Service notes;
    for (auto& [k, v] : parsed(entry, split_environment))
        global_environment_.emplace_back(k, expand(v, {{"here", here}}, notes).text);
    for (auto& text : notes.notes) top_notes_.push_back("[supervisord] environment: " + text);
    global_variables_ = notes.variables;
}

// supervisorctl's servers. The unix socket becomes tend's control socket; what
// tend has no counterpart for yet (an HTTP port, username and password) is
// kept in a comment, for when the config gets `settings.http`.
void Importer::http_server(const IniSection& section, const std::string& where) {
    const bool unix_socket = section.name == "unix_http_server";
    if (const IniEntry* file = section.find("file"); file && unix_socket)
        settings_.push_back("control_socket: " + yaml_string(literal(file->value)));
    if (const IniEntry* chown = section.find("chown"); chown && unix_socket && chown->value.find(':') != std::string::npos)
        settings_.push_back("control_group: " + yaml_string(literal(chown->value.substr(chown->value.find(':') + 1))));
    std::string kept;
    for (const char* key : {"chmod", "port", "username", "password"})
        if (const IniEntry* e = section.find(key); e && (unix_socket || std::string(key) != "chmod"))
            kept += std::string(kept.empty() ? "" : ", ") + key + "=" + e->value;
    if (kept.empty()) return;
    top_notes_.push_back("[" + section.name + "] (" + where + ") " + kept + ": " +
                         (unix_socket ? "tend's control socket is mode 0600, owned by root (control_group: lets a "
                                        "group in); it has no password"
                                      : "tend has no HTTP server yet; its control socket is local (tendctl)"));
}

void Importer::add_program(const IniSection& section, const std::string& where, const std::string& here) {
    auto [at, first] = program_at_.emplace(section.name, programs_.size());
    if (first) {
        programs_.push_back({section, here, {}, {}});
        Program& added = programs_.back();
        for (std::size_t i = 0; i < added.section.entries.size(); ++i) added.entry_at.emplace(added.section.entries[i].key, i);
        return;
    }
    Program& same = programs_[at->second];
    auto& entries = same.section.entries;
    for (const IniEntry& e : section.entries) {
        auto [old, added] = same.entry_at.emplace(e.key, entries.size());
        if (added) entries.push_back(e);
        else entries[old->second] = e;
    }
    same.here = here;
    same.notes.push_back("[" + section.name + "] again at " + where +
                         ": its options were merged into the first, the later ones winning, as supervisord reads them");
}

void Importer::import_programs() {
    for (Program& p : programs_) program(p.section, p.here, std::move(p.notes));
}

void Importer::program(const IniSection& section, const std::string& here, std::vector<std::string> notes) {
    Service service;
    service.notes = std::move(notes);
    const std::string program_name = section.name.substr(std::string("program:").size());
    const std::string wanted = name_for(program_name);
    service.name = wanted;
    // Names are never given back, so the "-N" tried before for this name are still taken.
    for (int& n = next_suffix_.try_emplace(wanted, 2).first->second; service_names_.contains(service.name); ++n)
        service.name = wanted + "-" + std::to_string(n);
    service_names_.insert(service.name);
    if (service.name != program_name)
        service.notes.push_back("renamed from '" + program_name + "': tend's names are letters, digits, - _ . @, "
                                "each name once");
    const std::string numprocs = numbering(section, service);
    const std::map<std::string, std::string> names = {
        {"program_name", program_name}, {"group_name", program_name}, {"here", here},
        {"host_node_name", host_},      {"process_num", std::to_string(service.numprocs_start)}, {"numprocs", numprocs}};
    if (const IniEntry* command = section.find("command")) {
        service.keys.emplace_back("command", parsed(*command, [&](const std::string& v) { return command_for(expand(v, names, service, true), service); }));
    } else {
        service.notes.push_back("no command= in [" + section.name + "]: add one");
    }
    auto environment = global_environment_;
    if (const IniEntry* env = section.find("environment"))
        for (auto& [k, v] : parsed(*env, split_environment)) environment.emplace_back(k, expand(v, names, service).text);
    if (!environment.empty()) {
        nlohmann::ordered_json map = nlohmann::ordered_json::object();
        for (auto& [k, v] : environment) map[k] = v;
        service.keys.emplace_back("environment", map.dump());
    }
    for (const IniEntry& e : section.entries) option(e, service, names);
    logs(section, service, names);
    if (const IniEntry* p = section.find("priority"))
        service.priority = static_cast<int>(std::clamp(std::strtol(p->value.c_str(), nullptr, 10), -999999L, 999999L));
    if (const IniEntry* p = section.find("process_name"); p && p->value != "%(program_name)s")
        service.notes.push_back("process_name=" + p->value + " not carried over: " +
                                (service.replicas > 1 ? "the instances are " + service.name + "-0 ... " + service.name + "-" +
                                                            std::to_string(service.replicas - 1) + " (tendctl names the set " + service.name + ")"
                                                      : std::string("a service's name is its key")));
    const IniEntry* as_group = section.find("stopasgroup");
    if (as_group && !truthy(as_group->value)) service.keys.emplace_back("kill_mode", yaml_string("process"));
    services_.push_back(std::move(service));
}

void Importer::option(const IniEntry& e, Service& service, const std::map<std::string, std::string>& names) {
    if (kKeysReadTogether.count(e.key)) return;
    const Value value = expand(e.value, names, service);
    const std::string& v = value.text;
    if (!value.variables.empty() && typed_from_variable(e, v, service)) return;
    if (e.key == "directory") service.keys.emplace_back("working_dir", yaml_string(v));
    else if (e.key == "user") service.keys.emplace_back("user", yaml_string(v));
    else if (e.key == "umask") service.keys.emplace_back("umask", yaml_string(v));
    else if (e.key == "autostart") service.keys.emplace_back("autostart", truthy(v) ? "true" : "false");
    else if (e.key == "autorestart")
        service.keys.emplace_back("restart", yaml_string(v == "unexpected" ? "on-failure" : truthy(v) ? "always" : "never"));
    else if (e.key == "startsecs") service.keys.emplace_back("min_uptime", seconds(v));
    else if (e.key == "startretries") service.keys.emplace_back("max_restarts", count(v));
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
        return e ? expand(e->value, names, service).text : std::string();
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
    if (std::string keep = value("stdout_logfile_backups"); !keep.empty()) service.keys.emplace_back("log_keep", count(keep));
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

// A service name as a YAML key: plain where YAML reads it as that string
// (not "@x", "-x", "1", "null", "yes"), quoted otherwise.
std::string yaml_key(const std::string& name) {
    static const std::set<std::string> typed = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"};
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool plain = std::isalpha(static_cast<unsigned char>(name[0])) && !typed.contains(lower);
    return plain ? name : yaml_string(name);
}

// A note as comment lines: a value that spans lines (a continued programs=)
// goes on commented, and a control byte, which YAML does not allow, is a space.
void write_comment(std::ostream& out, const std::string& indent, const std::string& text) {
    out << indent << "# ";
    for (char c : text) {
        if (c == '\n') out << "\n" << indent << "#   ";
        else if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) out << ' ';
        else out << c;
    }
    out << "\n";
}

std::string Importer::write() const {
    std::ostringstream out;
    write_comment(out, "", "Imported from " + main_path_ + " by `tend import`. Check it with `tend check -c FILE`;");
    out << "# what could not be carried over is in comments where it would have gone.\n";
    for (const auto& note : top_notes_) write_comment(out, "", note);
    std::set<std::string> variables = global_variables_;
    for (const Service& s : services_) variables.insert(s.variables.begin(), s.variables.end());
    if (!variables.empty()) {
        std::string names;
        for (const std::string& name : variables) names += (names.empty() ? "" : ", ") + name;
        write_comment(out, "", "supervisord's %(ENV_X)s are read from tend's environment when it starts (an unset ${X} is "
                               "an error, as in supervisord): " + names);
    }
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
        out << "  " << yaml_key(s.name) << ":\n";
        for (const auto& note : s.notes) write_comment(out, "    ", note);
        for (const auto& [key, value] : s.keys) out << "    " << key << ": " << value << "\n";
    }
    return out.str();
}

}  // namespace

std::string import_supervisord(const std::string& path, const ImportOptions& options, const ImportSource& source) {
    Importer importer(options, source);
    importer.read(options.root.host_path(path), true);
    importer.import_programs();
    if (options.priority_order) importer.order_by_priority();
    return importer.write();
}

}  // namespace tend
