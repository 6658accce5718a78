#include "tend/http/xmlrpc.hpp"

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include <pugixml.hpp>

#include "tend/util/utf8.hpp"

namespace tend {
namespace {

// Whitespace-only text is kept where it is a value's whole text (<string> </string> is " ").
constexpr unsigned kParseOptions = pugi::parse_default | pugi::parse_doctype | pugi::parse_ws_pcdata_single;

[[noreturn]] void malformed(const std::string& what) { throw XmlRpcMalformed(what); }

std::int64_t parse_int(const pugi::xml_node& node) {
    std::string text = node.text().get();
    const char* begin = text.c_str();
    while (*begin == ' ' || *begin == '\t' || *begin == '\n' || *begin == '\r') ++begin;
    char* end = nullptr;
    errno = 0;
    long long value = std::strtoll(begin, &end, 10);
    while (end && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')) ++end;
    if (end == begin || *end != '\0' || errno == ERANGE) malformed("not an integer: <" + std::string(node.name()) + ">");
    if (std::string_view(node.name()) != "i8" && (value < INT_MIN || value > INT_MAX))
        malformed("integer out of range for <" + std::string(node.name()) + ">");
    return value;
}

double parse_double(const pugi::xml_node& node) {
    std::string text = node.text().get();
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(value)) malformed("not a number: <double>" );
    return value;
}

XmlRpcValue parse_value(const pugi::xml_node& value, std::size_t depth);

XmlRpcValue parse_array(const pugi::xml_node& array, std::size_t depth) {
    XmlRpcArray out;
    pugi::xml_node data = array.child("data");
    if (!data) malformed("<array> without <data>");
    for (pugi::xml_node v : data.children("value")) out.push_back(parse_value(v, depth + 1));
    return out;
}

XmlRpcValue parse_struct(const pugi::xml_node& structure, std::size_t depth) {
    XmlRpcStruct out;
    for (pugi::xml_node member : structure.children("member")) {
        pugi::xml_node name = member.child("name");
        pugi::xml_node value = member.child("value");
        if (!name || !value) malformed("<member> without <name> and <value>");
        out.emplace_back(name.text().get(), parse_value(value, depth + 1));
    }
    return out;
}

XmlRpcValue parse_value(const pugi::xml_node& value, std::size_t depth) {
    if (depth > kXmlRpcMaxDepth) malformed("values nested deeper than " + std::to_string(kXmlRpcMaxDepth));
    pugi::xml_node typed = value.first_child();
    while (typed && typed.type() != pugi::node_element) typed = typed.next_sibling();
    if (!typed) return std::string(value.text().get());  // no type: a string
    std::string_view type = typed.name();
    if (type == "string") return std::string(typed.text().get());
    if (type == "int" || type == "i4" || type == "i8") return parse_int(typed);
    if (type == "boolean") {
        std::string_view text = typed.text().get();
        if (text != "0" && text != "1") malformed("<boolean> is neither 0 nor 1");
        return text == "1";
    }
    if (type == "double") return parse_double(typed);
    if (type == "array") return parse_array(typed, depth);
    if (type == "struct") return parse_struct(typed, depth);
    if (type == "nil") return XmlRpcValue();
    // Taken as their text: no method here asks for them.
    if (type == "base64" || type == "dateTime.iso8601") return std::string(typed.text().get());
    malformed("unknown value type <" + std::string(type) + ">");
}

// Text as XML 1.0 can carry it: invalid UTF-8 becomes U+FFFD (control
// characters are left out by the writer's format_skip_control_chars).
std::string valid_text(std::string_view text) {
    if (!first_invalid_utf8(text)) return std::string(text);
    std::string out;
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t left = text.size();
    while (left > 0) {
        std::size_t n = *p < 0x80 ? 1 : utf8_sequence_length(p, left);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            n = 1;
        } else {
            out.append(reinterpret_cast<const char*>(p), n);
        }
        p += n;
        left -= n;
    }
    return out;
}

std::string format_double(double d) {
    std::ostringstream out;
    out.precision(17);
    out << d;
    return out.str();
}

void write_value(pugi::xml_node parent, const XmlRpcValue& v) {
    pugi::xml_node value = parent.append_child("value");
    if (const auto* b = v.get<bool>()) value.append_child("boolean").text() = *b ? "1" : "0";
    else if (const auto* i = v.get<std::int64_t>()) {
        // supervisord caps its ints to XML-RPC's 32 bits the same way (capped_int).
        std::int64_t capped = std::max<std::int64_t>(INT_MIN, std::min<std::int64_t>(INT_MAX, *i));
        value.append_child("int").text() = std::to_string(capped).c_str();
    } else if (const auto* d = v.get<double>()) value.append_child("double").text() = format_double(*d).c_str();
    else if (const auto* s = v.get<std::string>()) value.append_child("string").text() = valid_text(*s).c_str();
    else if (const auto* a = v.get<XmlRpcArray>()) {
        pugi::xml_node data = value.append_child("array").append_child("data");
        for (const XmlRpcValue& item : *a) write_value(data, item);
    } else if (const auto* st = v.get<XmlRpcStruct>()) {
        pugi::xml_node structure = value.append_child("struct");
        for (const auto& [name, member_value] : *st) {
            pugi::xml_node member = structure.append_child("member");
            member.append_child("name").text() = valid_text(name).c_str();
            write_value(member, member_value);
        }
    } else value.append_child("nil");
}

std::string save(const pugi::xml_document& document) {
    std::ostringstream out;
    document.save(out, "", pugi::format_raw | pugi::format_skip_control_chars, pugi::encoding_utf8);
    return out.str();
}

}  // namespace

const XmlRpcValue* XmlRpcValue::member(std::string_view name) const {
    if (const auto* s = get<XmlRpcStruct>())
        for (const auto& [key, v] : *s)
            if (key == name) return &v;
    return nullptr;
}

XmlRpcCall parse_xmlrpc_call(std::string_view body) {
    pugi::xml_document document;
    pugi::xml_parse_result parsed = document.load_buffer(body.data(), body.size(), kParseOptions, pugi::encoding_utf8);
    if (!parsed)
        malformed(std::string("not well-formed XML at byte ") + std::to_string(parsed.offset) + ": " + parsed.description());
    for (pugi::xml_node node : document.children())
        if (node.type() == pugi::node_doctype) malformed("a DOCTYPE is not accepted");
    pugi::xml_node call = document.child("methodCall");
    if (!call) malformed("no <methodCall>");
    XmlRpcCall out;
    out.method = call.child("methodName").text().get();
    if (out.method.empty()) malformed("no <methodName>");
    for (pugi::xml_node param : call.child("params").children("param")) {
        pugi::xml_node value = param.child("value");
        if (!value) malformed("<param> without <value>");
        out.params.push_back(parse_value(value, 1));
    }
    return out;
}

std::string xmlrpc_response(const XmlRpcValue& result) {
    pugi::xml_document document;
    pugi::xml_node params = document.append_child("methodResponse").append_child("params");
    write_value(params.append_child("param"), result);
    return save(document);
}

std::string xmlrpc_fault(int code, std::string_view text) {
    pugi::xml_document document;
    pugi::xml_node fault = document.append_child("methodResponse").append_child("fault");
    write_value(fault, XmlRpcStruct{{"faultCode", XmlRpcValue(code)}, {"faultString", std::string(text)}});
    return save(document);
}

}  // namespace tend
