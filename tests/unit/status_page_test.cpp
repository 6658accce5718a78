#include <doctest/doctest.h>

#include "supervisor_harness.hpp"
#include "tend/http/status_page.hpp"

namespace unit_status_page_test {

using namespace tend;
using namespace tend::test;

TEST_CASE("html_escape makes markup, quotes, control bytes and broken UTF-8 inert text") {
    CHECK(html_escape("<script>alert('x')</script>") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    CHECK(html_escape("a=\"b\" & c") == "a=&quot;b&quot; &amp; c");
    CHECK(html_escape("tab\tok, bell\a, nul") == "tab\tok, bell\xEF\xBF\xBD, nul");
    CHECK(html_escape(std::string("x\0y", 3)) == "x\xEF\xBF\xBDy");
    CHECK(html_escape("caf\xC3\xA9 \xE2\x9C\x93") == "caf\xC3\xA9 \xE2\x9C\x93");  // valid UTF-8 kept
    CHECK(html_escape("bad \xC3 \xFF end") == "bad \xEF\xBF\xBD \xEF\xBF\xBD end");
    CHECK(html_escape("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate is not UTF-8
    CHECK(html_escape("") == "");
}

TEST_CASE("the page escapes a service's output and reasons, and a marker in them stays text") {
    PageRow row;
    row.status.name = "web";
    row.status.state = "running";
    row.status.status_text = "<b>hi</b>";
    row.status.uptime_seconds = 125;
    row.status.restarts = 2;
    row.output = {"<script>alert(\"pwned\")</script>", "' onload='x", "@TOKEN@ @ROWS@"};
    std::string page = render_status_page({row}, "abc123", "tend on <host>", "n0nce");
    CHECK(page.find("<script>alert") == std::string::npos);
    CHECK(page.find("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;\n&#39; onload=&#39;x\n@TOKEN@ @ROWS@</pre>") !=
          std::string::npos);
    CHECK(page.find("<span class=\"why\">&lt;b&gt;hi&lt;/b&gt;</span>") != std::string::npos);
    CHECK(page.find("<meta name=\"tend-token\" content=\"abc123\">") != std::string::npos);
    CHECK(page.find("<title>tend on &lt;host&gt;</title>") != std::string::npos);
    CHECK(page.find("<td class=\"num\">2m 5s</td><td class=\"num\">2</td>") != std::string::npos);
    CHECK(page.find("<button data-act=\"restart\" data-name=\"web\">restart</button>") != std::string::npos);
    CHECK(page.find("<script nonce=\"n0nce\">") != std::string::npos);
    CHECK(page.find("<style nonce=\"n0nce\">") != std::string::npos);
    // The template's own script, and no other, is in the page.
    std::size_t scripts = 0;
    for (std::size_t at = page.find("<script"); at != std::string::npos; at = page.find("<script", at + 1)) ++scripts;
    CHECK(scripts == 1);
}

TEST_CASE("a POST needs the page's token, same-origin headers and, on a bare loopback listener, a local Host") {
    std::string token = new_page_token();
    CHECK(token.size() == 64);
    CHECK(token != new_page_token());
    PostHeaders good{token, "http://127.0.0.1:9001", "same-origin", "127.0.0.1:9001"};
    CHECK(csrf_refusal(good, token, true) == "");
    CHECK(csrf_refusal({token, "", "", "127.0.0.1:9001"}, token, true) == "");  // curl: no Origin, no Sec-Fetch-Site
    CHECK(csrf_refusal({"", "", "", "localhost"}, token, true) ==
          "refused: no X-Tend-Token header (send the token of the status page's tend-token meta tag)");
    std::string wrong = token;
    wrong[63] = wrong[63] == '0' ? '1' : '0';
    CHECK(csrf_refusal({wrong, "", "", "[::1]:80"}, token, true) == "refused: wrong X-Tend-Token (reload the status page)");
    CHECK(csrf_refusal({token.substr(1), "", "", "localhost"}, token, true) ==
          "refused: wrong X-Tend-Token (reload the status page)");
    CHECK(csrf_refusal({token, "http://evil.example", "", "127.0.0.1:9001"}, token, true) ==
          "refused: a request from another origin (Origin: http://evil.example)");
    CHECK(csrf_refusal({token, "null", "", "127.0.0.1:9001"}, token, true).starts_with("refused: a request from another origin"));
    CHECK(csrf_refusal({token, "", "cross-site", "127.0.0.1:9001"}, token, true) ==
          "refused: a request from another site (Sec-Fetch-Site: cross-site)");
    CHECK(csrf_refusal({token, "", "same-site", "127.0.0.1:9001"}, token, true) != "");
    // A DNS-rebound name is its own origin, so Origin alone cannot tell.
    CHECK(csrf_refusal({token, "http://evil.example:9001", "same-origin", "evil.example:9001"}, token, true) ==
          "refused: Host evil.example:9001 is not an IP address or localhost (a loopback listener without basic "
          "auth takes only those)");
    CHECK(csrf_refusal({token, "https://tend.example", "same-origin", "tend.example"}, token, false) == "");
}

TEST_CASE("local_host takes IP addresses and localhost, with or without a port") {
    for (const char* host : {"127.0.0.1", "127.0.0.1:9001", "localhost", "LocalHost:80", "[::1]", "[::1]:9001", "10.1.2.3"})
        CHECK_MESSAGE(local_host(host), host);
    for (const char* host : {"", "evil.example", "localhost.evil.example", "[::1", "[::1]x", "::1", "127.0.0.1.nip.io"})
        CHECK_MESSAGE(!local_host(host), host);
}

TEST_CASE("the page lists every service, and its actions start, stop and restart them by name") {
    Harness h("services:\n" + service("web") + service("api"));
    Operations ops(*h.supervisor, h.loop);
    StatusPage page(ops);
    HttpReply shown = page.page();
    CHECK(shown.status == 200);
    CHECK(shown.content_type == "text/html; charset=utf-8");
    CHECK(shown.body.find("<tr id=\"svc-web\" data-state=\"running\">") != std::string::npos);
    CHECK(shown.body.find("<tr id=\"svc-api\" data-state=\"running\">") != std::string::npos);
    CHECK(shown.body.find(page.token()) != std::string::npos);
    REQUIRE(shown.headers.size() == 3);
    CHECK(shown.headers[0].second.starts_with("default-src 'none'; script-src 'nonce-"));
    CHECK(shown.headers[0].second.ends_with("frame-ancestors 'none'"));
    CHECK(page.page().headers[0] != shown.headers[0]);  // a nonce per page
    HttpReply stopped = page.act("stop/web");
    CHECK(stopped.status == 200);
    CHECK(stopped.body == "stopping web\n");
    h.turn();
    CHECK(h.state("web") != ServiceState::running);
    CHECK(page.act("start/web").body == "starting web\n");
    CHECK(page.act("restart/api").body == "restarting api\n");
    HttpReply unknown = page.act("start/wbe");
    CHECK(unknown.status == 404);
    CHECK(unknown.body == "no such service: wbe\n");
    CHECK(page.act("kill/web").status == 404);
    CHECK(page.act("start").body == "no such action: start (start, stop or restart)\n");
}

}  // namespace unit_status_page_test
