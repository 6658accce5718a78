"""An editor's view of tend.yaml: yaml-language-server (what VS Code's YAML
extension, Neovim's yamlls and Helix run), driven over stdio with the modeline
docs/installing.md shows, completes a service's keys, shows a key's
description on hover and marks a wrong value and an unknown key."""
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from harness import SLOWDOWN

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "config" / "tend.schema.json"
SERVER = shutil.which("yaml-language-server")

pytestmark = pytest.mark.skipif(not SERVER, reason="needs yaml-language-server (packaging/install-deps.sh --tests)")

DOCUMENT = f"""# yaml-language-server: $schema={SCHEMA}
services:
  web:
    command: [nginx]
    restart: sometimes
    bogus_key: 1
    
"""


class LanguageServer:
    """A JSON-RPC client on the server's stdio: requests in order, answering the
    server's own requests (configuration) and keeping what it publishes."""

    def __init__(self):
        self.process = subprocess.Popen([SERVER, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.buffer = b""
        self.next_id = 0
        self.diagnostics = []

    def close(self):
        self.process.kill()
        self.process.wait()

    def send(self, message):
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def receive(self, deadline):
        while True:
            head, sep, rest = self.buffer.partition(b"\r\n\r\n")
            if sep:
                length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length"))
                if len(rest) >= length:
                    self.buffer = rest[length:]
                    return json.loads(rest[:length])
            ready, _, _ = select.select([self.process.stdout], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, "yaml-language-server said nothing before the deadline"
            chunk = os.read(self.process.stdout.fileno(), 65536)
            assert chunk, "yaml-language-server exited"
            self.buffer += chunk

    def handle(self, message):
        if "method" in message and "id" in message:  # the server asks: settings, capability registrations
            settings = {"validate": True, "hover": True, "completion": True}
            result = [settings] * len(message["params"].get("items", [])) if message["method"] == "workspace/configuration" else None
            self.send({"id": message["id"], "result": result})
        elif message.get("method") == "textDocument/publishDiagnostics":
            self.diagnostics.append(message["params"])

    def request(self, method, params, timeout=20 * SLOWDOWN):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self.receive(deadline)
            if message.get("id") == self.next_id and "method" not in message:
                assert "error" not in message, message
                return message["result"]
            self.handle(message)

    def wait_for_diagnostics(self, timeout=20 * SLOWDOWN):
        deadline = time.monotonic() + timeout
        while not any(d["diagnostics"] for d in self.diagnostics):
            self.handle(self.receive(deadline))
        return [d for p in self.diagnostics for d in p["diagnostics"]]


@pytest.fixture
def server(tmp_path):
    ls = LanguageServer()
    uri = (tmp_path / "tend.yaml").as_uri()
    ls.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {
        "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]}, "completion": {}}}})
    ls.notify("initialized", {})
    ls.notify("workspace/didChangeConfiguration", {"settings": {"yaml": {"validate": True, "hover": True, "completion": True}}})
    ls.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": DOCUMENT}})
    yield ls, uri
    ls.close()


def test_completion_offers_the_service_keys(server):
    ls, uri = server
    result = ls.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": 6, "character": 4}})
    labels = {item["label"] for item in (result["items"] if isinstance(result, dict) else result)}
    assert {"depends_on", "autostart", "stop_signal", "healthcheck", "env_file"} <= labels
    assert "restart" not in labels  # already in the document
    assert "bogus_key" not in labels


def test_hover_shows_the_keys_description_from_the_registry(server):
    ls, uri = server
    result = ls.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 6}})
    text = result["contents"]["value"] if isinstance(result["contents"], dict) else str(result["contents"])
    assert "when the service is started again after it exits" in text.replace("\\", "")


def test_a_wrong_value_and_an_unknown_key_are_marked_where_they_are(server):
    ls, _ = server
    diagnostics = ls.wait_for_diagnostics()
    by_line = {d["range"]["start"]["line"]: d["message"] for d in diagnostics}
    assert 4 in by_line and "on-failure" in by_line[4], diagnostics  # restart: sometimes
    assert 5 in by_line and "bogus_key" in by_line[5], diagnostics
