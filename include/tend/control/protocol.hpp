// The control protocol's framing: one JSON object per line each way.
// {"cmd":"status","args":{...}} -> {"ok":true,"result":...} | {"ok":false,"error":"..."}
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace tend {

constexpr std::size_t kMaxRequestBytes = 64 * 1024;
constexpr int kMaxJsonDepth = 32;

struct Request {
    std::string cmd;
    nlohmann::json args = nlohmann::json::object();
};

// A request, or the error text to reply with. Never throws.
std::variant<Request, std::string> parse_request(std::string_view line);

std::string encode_ok(const nlohmann::json& result);
std::string encode_error(const std::string& message);

// Argument helpers: each returns the value or throws ArgumentError naming the argument.
struct ArgumentError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
std::vector<std::string> string_list_arg(const nlohmann::json& args, const char* name);
std::string string_arg(const nlohmann::json& args, const char* name, const std::string& fallback);
double number_arg(const nlohmann::json& args, const char* name, double fallback);
bool bool_arg(const nlohmann::json& args, const char* name, bool fallback);

}  // namespace tend
