// What an HTTP client sends to /RPC2: a methodCall body is read or refused
// (XmlRpcMalformed), never crashes; what is read nests no deeper than the
// bound, and every value read can be written back out as a methodResponse,
// which the library escapes. The HTTP framing itself is libmicrohttpd's.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tend/http/xmlrpc.hpp"

namespace {

std::size_t depth(const tend::XmlRpcValue& v) {
    std::size_t deepest = 0;
    if (const auto* array = v.get<tend::XmlRpcArray>())
        for (const auto& item : *array) deepest = std::max(deepest, depth(item));
    else if (const auto* members = v.get<tend::XmlRpcStruct>())
        for (const auto& [name, item] : *members) deepest = std::max(deepest, depth(item));
    else
        return 0;
    return deepest + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    tend::XmlRpcCall call;
    try {
        call = tend::parse_xmlrpc_call(body);
    } catch (const tend::XmlRpcMalformed&) {
        return 0;
    }
    for (const auto& param : call.params) {
        if (depth(param) > tend::kXmlRpcMaxDepth) __builtin_trap();
        std::string out = tend::xmlrpc_response(param);
        if (out.find("<methodResponse>") == std::string::npos) __builtin_trap();
        // What tend writes is read back by the same rules (as a call's body, renamed).
        std::string as_call = "<?xml version=\"1.0\"?><methodCall><methodName>m</methodName>" +
                              out.substr(out.find("<params>"), out.rfind("</params>") + 9 - out.find("<params>")) +
                              "</methodCall>";
        try {
            tend::parse_xmlrpc_call(as_call);
        } catch (const tend::XmlRpcMalformed&) {
            __builtin_trap();
        }
    }
    tend::xmlrpc_fault(2, call.method);
    return 0;
}
