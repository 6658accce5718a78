#include "tend/control/protocol.hpp"

namespace tend {
namespace {

// nlohmann's parser is recursive on the way down; bound the depth before it
// sees the text, so "[[[[…" ten thousand deep costs a scan, not the stack.
bool too_deep(std::string_view text) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > kMaxJsonDepth) return true;
        } else if (c == ']' || c == '}') --depth;
    }
    return false;
}

}  // namespace

std::variant<Request, std::string> parse_request(std::string_view line) {
    if (line.size() > kMaxRequestBytes) return std::string("request too large (over 64 KiB)");
    if (too_deep(line)) return std::string("request nested too deeply (over " + std::to_string(kMaxJsonDepth) + " levels)");
    nlohmann::json doc = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    if (doc.is_discarded()) return std::string("invalid JSON");
    if (!doc.is_object()) return std::string("request must be a JSON object");
    auto cmd = doc.find("cmd");
    if (cmd == doc.end() || !cmd->is_string()) return std::string("request needs \"cmd\" as a string");
    Request request;
    request.cmd = cmd->get<std::string>();
    if (auto args = doc.find("args"); args != doc.end() && !args->is_null()) {
        if (!args->is_object()) return std::string("\"args\" must be an object");
        request.args = *args;
    }
    return request;
}

std::string encode_ok(const nlohmann::json& result) {
    nlohmann::json reply = {{"ok", true}, {"result", result}};
    return reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string encode_error(const std::string& message) {
    nlohmann::json reply = {{"ok", false}, {"error", message}};
    return reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::vector<std::string> string_list_arg(const nlohmann::json& args, const char* name) {
    auto it = args.find(name);
    if (it == args.end() || it->is_null()) return {};
    if (it->is_string()) return {it->get<std::string>()};
    if (!it->is_array()) throw ArgumentError(std::string("argument '") + name + "' must be a list of strings");
    std::vector<std::string> out;
    for (const auto& item : *it) {
        if (!item.is_string()) throw ArgumentError(std::string("argument '") + name + "' must be a list of strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

std::string string_arg(const nlohmann::json& args, const char* name, const std::string& fallback) {
    auto it = args.find(name);
    if (it == args.end() || it->is_null()) return fallback;
    if (!it->is_string()) throw ArgumentError(std::string("argument '") + name + "' must be a string");
    return it->get<std::string>();
}

double number_arg(const nlohmann::json& args, const char* name, double fallback) {
    auto it = args.find(name);
    if (it == args.end() || it->is_null()) return fallback;
    if (!it->is_number()) throw ArgumentError(std::string("argument '") + name + "' must be a number");
    return it->get<double>();
}

bool bool_arg(const nlohmann::json& args, const char* name, bool fallback) {
    auto it = args.find(name);
    if (it == args.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) throw ArgumentError(std::string("argument '") + name + "' must be true or false");
    return it->get<bool>();
}

}  // namespace tend
