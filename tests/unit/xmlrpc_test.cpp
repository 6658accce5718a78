#include <doctest/doctest.h>

#include <string>

#include "tend/http/supervisor_rpc.hpp"
#include "tend/http/xmlrpc.hpp"

namespace unit_xmlrpc_test {

using namespace tend;

namespace {

std::string call_of(const std::string& params) {
    return "<?xml version='1.0'?><methodCall><methodName>m</methodName><params>" + params + "</params></methodCall>";
}

std::string malformed_message(const std::string& body) {
    try {
        parse_xmlrpc_call(body);
    } catch (const XmlRpcMalformed& e) {
        return e.what();
    }
    return "";
}

std::string nested_arrays(std::size_t depth) {
    std::string open, close;
    for (std::size_t i = 0; i < depth; ++i) {
        open += "<value><array><data>";
        close = "</data></array></value>" + close;
    }
    return call_of("<param>" + open + close + "</param>");
}

}  // namespace

TEST_CASE("a methodCall is read with every value type, untyped values as strings") {
    XmlRpcCall call = parse_xmlrpc_call(call_of(
        "<param><value><string>web</string></value></param>"
        "<param><value><int>-1600</int></value></param>"
        "<param><value><i4>7</i4></value></param>"
        "<param><value><boolean>1</boolean></value></param>"
        "<param><value><double>0.5</double></value></param>"
        "<param><value>plain &amp; &lt;text&gt;</value></param>"
        "<param><value><string> </string></value></param>"
        "<param><value><array><data><value><int>1</int></value><value>x</value></data></array></value></param>"
        "<param><value><struct><member><name>methodName</name><value>a.b</value></member></struct></value></param>"
        "<param><value><nil/></value></param>"));
    CHECK(call.method == "m");
    REQUIRE(call.params.size() == 10);
    CHECK(*call.params[0].get<std::string>() == "web");
    CHECK(*call.params[1].get<std::int64_t>() == -1600);
    CHECK(*call.params[2].get<std::int64_t>() == 7);
    CHECK(*call.params[3].get<bool>() == true);
    CHECK(*call.params[4].get<double>() == 0.5);
    CHECK(*call.params[5].get<std::string>() == "plain & <text>");
    CHECK(*call.params[6].get<std::string>() == " ");
    CHECK(call.params[7].get<XmlRpcArray>()->size() == 2);
    CHECK(*call.params[8].member("methodName")->get<std::string>() == "a.b");
    CHECK(std::holds_alternative<std::monostate>(call.params[9].value));
}

TEST_CASE("a call without params has none") {
    CHECK(parse_xmlrpc_call("<methodCall><methodName>system.listMethods</methodName></methodCall>").params.empty());
}

TEST_CASE("malformed bodies are refused with what is wrong") {
    CHECK(malformed_message("<methodCall><methodName>x</methodName>").starts_with("not well-formed XML at byte"));
    CHECK(malformed_message("") == "not well-formed XML at byte 0: No document element found");
    CHECK(malformed_message("<other/>") == "no <methodCall>");
    CHECK(malformed_message("<methodCall/>") == "no <methodName>");
    CHECK(malformed_message(call_of("<param><value><int>12x</int></value></param>")) == "not an integer: <int>");
    CHECK(malformed_message(call_of("<param><value><int>4294967296</int></value></param>")) ==
          "integer out of range for <int>");
    CHECK(malformed_message(call_of("<param><value><boolean>yes</boolean></value></param>")) ==
          "<boolean> is neither 0 nor 1");
    CHECK(malformed_message(call_of("<param><value><blob>1</blob></value></param>")) == "unknown value type <blob>");
    CHECK(malformed_message(call_of("<param><value><array/></value></param>")) == "<array> without <data>");
}

TEST_CASE("a DOCTYPE is refused, so no entity of the sender's is expanded (billion laughs)") {
    std::string laughs =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
        "<methodCall><methodName>&lol3;</methodName></methodCall>";
    CHECK(malformed_message(laughs) == "a DOCTYPE is not accepted");
}

TEST_CASE("values nest at most 32 deep") {
    CHECK(parse_xmlrpc_call(nested_arrays(31)).params.size() == 1);
    CHECK(malformed_message(nested_arrays(40)) == "values nested deeper than 32");
}

TEST_CASE("a response and a fault are written by the library, text escaped") {
    CHECK(xmlrpc_response(XmlRpcValue("a<b & \"c\"")) ==
          "<?xml version=\"1.0\"?><methodResponse><params><param><value><string>a&lt;b &amp; \"c\"</string></value>"
          "</param></params></methodResponse>");
    CHECK(xmlrpc_fault(10, "BAD_NAME: x") ==
          "<?xml version=\"1.0\"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>10"
          "</int></value></member><member><name>faultString</name><value><string>BAD_NAME: x</string></value>"
          "</member></struct></value></fault></methodResponse>");
}

TEST_CASE("output that XML cannot carry: control characters are left out, invalid UTF-8 becomes U+FFFD") {
    std::string out = xmlrpc_response(XmlRpcValue(std::string("a\x1b[0m\tb\n\xff")));
    CHECK(out.find("<string>a[0m\tb\n\xEF\xBF\xBD</string>") != std::string::npos);
}

TEST_CASE("integers past 32 bits are capped as supervisord caps them; booleans, arrays, structs and nil") {
    XmlRpcValue v(XmlRpcArray{std::int64_t{1} << 40, true, XmlRpcStruct{{"k", 1.5}}, XmlRpcValue()});
    CHECK(xmlrpc_response(v).find("<value><int>2147483647</int></value><value><boolean>1</boolean></value>"
                                  "<value><struct><member><name>k</name><value><double>1.5</double></value></member>"
                                  "</struct></value><value><nil/></value>") != std::string::npos);
}

TEST_CASE("tend's states map onto supervisord's state codes") {
    CHECK(process_code("stopped") == ProcessCode::stopped);
    CHECK(process_code("starting") == ProcessCode::starting);
    CHECK(process_code("running") == ProcessCode::running);
    CHECK(process_code("unhealthy") == ProcessCode::running);
    CHECK(process_code("backoff") == ProcessCode::backoff);
    CHECK(process_code("blocked") == ProcessCode::backoff);
    CHECK(process_code("stopping") == ProcessCode::stopping);
    CHECK(process_code("exited") == ProcessCode::exited);
    CHECK(process_code("completed") == ProcessCode::exited);
    CHECK(process_code("failed") == ProcessCode::exited);
    CHECK(process_code("fatal") == ProcessCode::fatal);
    CHECK(to_string(ProcessCode::fatal) == std::string("FATAL"));
    CHECK(static_cast<int>(ProcessCode::unknown) == 1000);
}

TEST_CASE("faults read as supervisord's: the code's name, then the detail") {
    CHECK(RpcError(Fault::bad_name, "webb").text == "BAD_NAME: webb");
    CHECK(RpcError(Fault::shutdown_state).text == "SHUTDOWN_STATE");
    CHECK(RpcError(Fault::bad_name, "").text == "BAD_NAME: ");  // getProcessInfo(""), as supervisord words it
    CHECK(static_cast<int>(Fault::cant_reread) == 92);
}

}  // namespace unit_xmlrpc_test
