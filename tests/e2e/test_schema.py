"""config/tend.schema.json against a real validator (python3-jsonschema) and
against the loader: every example config is valid; every service key's sample
is valid for both; what the loader refuses, the schema refuses too."""
import json
import subprocess
import tempfile
from pathlib import Path

import jsonschema
import pytest
import yaml

from harness import TEND

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "config" / "tend.schema.json").read_text())
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
EXAMPLES = sorted(REPO.glob("config/*.yaml")) + sorted(REPO.glob("config/examples/*.yaml")) + \
    [REPO / "packaging" / "container" / "tend.yaml"]
SERVICE = SCHEMA["properties"]["services"]["additionalProperties"]


def schema_errors(document):
    return [e.message for e in VALIDATOR.iter_errors(document)]


def tend_check(document):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        yaml.safe_dump(document, f)
        f.flush()
        return subprocess.run([TEND, "check", "-c", f.name], capture_output=True, text=True)


def test_the_schema_is_a_valid_draft_7_schema_and_tend_schema_prints_it():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    printed = subprocess.run([TEND, "schema"], capture_output=True, text=True, check=True).stdout
    assert json.loads(printed) == SCHEMA


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_config_is_valid_for_the_schema_and_for_tend(path):
    assert schema_errors(yaml.safe_load(path.read_text())) == []
    r = subprocess.run([TEND, "check", "-c", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def with_key(key, value):
    return {"services": {"web": {"command": ["x"], key: value}, "other": {"command": ["y"]}}}


@pytest.mark.parametrize("key", sorted(SERVICE["properties"]))
def test_schema_and_loader_agree_on_each_service_keys_sample(key):
    (sample,) = SERVICE["properties"][key]["examples"]
    document = with_key(key, sample)
    assert schema_errors(document) == []
    r = tend_check(document)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("document, loader_says", [
    (with_key("restat", "always"), "unknown key 'restat'"),
    (with_key("restart", "sometimes"), "services.web.restart"),
    (with_key("min_uptime", "soon"), "services.web.min_uptime"),
    (with_key("limits", {"openfiles": 10}), "unknown limit 'openfiles'"),
    (with_key("umask", "0800"), "services.web.umask"),
    (with_key("ready", {"tcp": 5432, "probe": 1}), "services.web.ready"),
    (with_key("log_file", "relative.log"), "services.web.log_file"),
    (with_key("forward_signals", ["USR1", "USR1"]), "USR1 is listed twice"),
    ({"settings": {"log_format": "xml"}, "services": {}}, "settings.log_format"),
    ({"setting": {}, "services": {}}, "unknown key 'setting'"),
    ({"services": {"web": {"restart": "always"}}}, "missing required key 'command'"),
    ({"services": {"all": {"command": "x"}}}, "invalid service name"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_what_the_loader_refuses_the_schema_refuses(document, loader_says):
    r = tend_check(document)
    assert r.returncode == 1 and loader_says in r.stderr, r.stderr
    assert schema_errors(document) != []
