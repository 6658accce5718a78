// The status page's template: HTML, CSS and script in one string, so the
// page needs nothing else (no file, no other request but its own refreshes).
// status_page.cpp fills in @TITLE@, @TOKEN@, @NONCE@ and @ROWS@, escaped.
//
// The script refreshes the table every 2 s by fetching this same page and
// swapping its <tbody> in (so all rendering and escaping stays in C++: the
// script never builds HTML from service data), pauses while the tab is
// hidden, and sends the buttons as POSTs with the page's token in an
// X-Tend-Token header. Without script the buttons do nothing and a
// <noscript> meta refresh reloads the page every 5 s.
#include <string_view>

namespace tend {

extern const std::string_view kStatusPageTemplate;

const std::string_view kStatusPageTemplate = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="tend-token" content="@TOKEN@">
<meta name="referrer" content="no-referrer">
<noscript><meta http-equiv="refresh" content="5"></noscript>
<title>@TITLE@</title>
<style nonce="@NONCE@">
:root { color-scheme: light dark; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --dim: #6e7781; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; }
h1 { font-size: 1.3em; margin: 0 0 .2em; }
#bar { color: var(--dim); margin-bottom: 1em; }
#note.bad { color: var(--bad); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35em .6em; border-bottom: 1px solid #8884; }
th { font-weight: 600; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
.state { font-weight: 600; }
.s-running, .h-healthy, .s-completed { color: var(--ok); }
.s-starting, .s-stopping, .s-backoff, .s-blocked, .h-starting { color: var(--warn); }
.s-fatal, .s-failed, .h-unhealthy { color: var(--bad); }
.s-down, .s-stopped, .s-exited { color: var(--dim); }
.why { display: block; font-weight: normal; color: var(--dim); font-size: .9em; }
pre { margin: 0; max-width: 60em; max-height: 7.5em; overflow: auto; white-space: pre-wrap; word-break: break-all;
      font: 12px/1.25 ui-monospace, monospace; }
button { font: inherit; margin: 0 .15em .15em 0; }
td:last-child { white-space: nowrap; }
</style>
</head>
<body>
<h1>@TITLE@</h1>
<div id="bar"><span id="stamp">loaded</span> <span id="note"></span></div>
<table>
<thead><tr><th>Service</th><th>State</th><th class="num">Uptime</th><th class="num">Restarts</th><th>Health</th><th>Recent output</th><th></th></tr></thead>
<tbody id="services">
@ROWS@</tbody>
</table>
<script nonce="@NONCE@">
(function () {
  'use strict';
  var token = document.querySelector('meta[name="tend-token"]').content;
  var note = document.getElementById('note');
  function say(text, bad) { note.textContent = text; note.className = bad ? 'bad' : ''; }
  function refresh() {
    return fetch(location.pathname, {credentials: 'same-origin', cache: 'no-store'})
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('services');
        if (fresh) document.getElementById('services').replaceWith(document.importNode(fresh, true));
        document.getElementById('stamp').textContent = 'updated ' + new Date().toLocaleTimeString();
      })
      .catch(function (e) { say('refresh failed: ' + e.message, true); });
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-act]');
    if (!button) return;
    button.disabled = true;
    var url = 'action/' + button.dataset.act + '/' + encodeURIComponent(button.dataset.name);
    fetch(url, {method: 'POST', credentials: 'same-origin', headers: {'X-Tend-Token': token}})
      .then(function (r) { return r.text().then(function (t) { say(t.trim(), !r.ok); }); })
      .catch(function (e) { say(e.message, true); })
      .then(refresh);
  });
  setInterval(function () { if (!document.hidden) refresh(); }, 2000);
})();
</script>
</body>
</html>
)html";

}  // namespace tend
