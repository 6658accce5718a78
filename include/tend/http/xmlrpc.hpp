// XML-RPC's values, a methodCall read from a request body and a
// methodResponse (a value or a fault) written out, through pugixml: no hand
// parsing, and every text escaped by the library on output. The reader takes
// no DOCTYPE (so no entity of the sender's is ever expanded) and bounds
// nesting, so a hostile body costs at most its own size and a bounded stack.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tend {

struct XmlRpcValue;
using XmlRpcArray = std::vector<XmlRpcValue>;
using XmlRpcStruct = std::vector<std::pair<std::string, XmlRpcValue>>;  // members in the order given

struct XmlRpcValue {
    // nil (<nil/>, an extension) is std::monostate; <int>/<i4>/<i8> are int64.
    std::variant<std::monostate, bool, std::int64_t, double, std::string, XmlRpcArray, XmlRpcStruct> value;

    XmlRpcValue() = default;
    XmlRpcValue(bool b) : value(b) {}
    XmlRpcValue(int i) : value(std::int64_t{i}) {}
    XmlRpcValue(std::int64_t i) : value(i) {}
    XmlRpcValue(double d) : value(d) {}
    XmlRpcValue(std::string s) : value(std::move(s)) {}
    XmlRpcValue(const char* s) : value(std::string(s)) {}
    XmlRpcValue(XmlRpcArray a) : value(std::move(a)) {}
    XmlRpcValue(XmlRpcStruct s) : value(std::move(s)) {}

    template <class T> const T* get() const { return std::get_if<T>(&value); }
    // A struct's member, or nullptr.
    const XmlRpcValue* member(std::string_view name) const;
};

struct XmlRpcCall {
    std::string method;
    XmlRpcArray params;
};

// A body that is not a methodCall this reader takes: what() says what and where.
struct XmlRpcMalformed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kXmlRpcMaxDepth = 32;  // arrays and structs inside each other

XmlRpcCall parse_xmlrpc_call(std::string_view body);
std::string xmlrpc_response(const XmlRpcValue& result);
std::string xmlrpc_fault(int code, std::string_view text);

}  // namespace tend
