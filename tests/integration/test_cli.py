"""The `siteseek` command line, as a user runs it:
1. exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error;
2. config validate/show/schema: every error with its key path, secrets masked;
3. index --dir writes a snapshot; snapshot info verifies it and refuses a corrupt one;
4. search prints results (text and JSON); query reads lines and answers one JSON line each,
   a bad line gets an error line and the stream goes on."""
import json
import os
import subprocess
import tempfile

import pytest

from conftest import FIXTURE_SITE, siteseek_bin, write_config


def run(*args, stdin=None, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITESEEK_")}
    env.update(env_extra or {})
    return subprocess.run([siteseek_bin(), *args], input=stdin, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory() as d:
        yield d


def test_version_and_usage_errors():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip().count(".") == 2
    assert run("frobnicate").returncode == 2
    assert run("search").returncode == 2  # the query is required


def test_config_validate_show_schema(workdir):
    good = write_config(workdir)
    r = run("config", "validate", good)
    assert r.returncode == 0 and "valid (2 sites)" in r.stdout
    bad = os.path.join(workdir, "bad.json")
    with open(bad, "w") as f:
        json.dump({"port": "x", "sites": [{"name": "a", "url": "https://a.org/", "synonyms": [3]}]}, f)
    r = run("config", "validate", bad)
    assert r.returncode == 2
    assert "port: (in " in r.stderr and "sites[0].synonyms[0]: " in r.stderr
    r = run("--config", good, "config", "show", env_extra={"SITESEEK_API_KEY": "hunter2"})
    assert r.returncode == 0
    shown = json.loads(r.stdout)
    assert shown["api_key"] == "***" and "hunter2" not in r.stdout
    r = run("config", "schema")
    assert r.returncode == 0 and json.loads(r.stdout)["properties"]["port"]["default"] == 8080
    r = run("--config", good, "--set", "port=notaport", "config", "show")
    assert r.returncode == 2 and "port: (from command-line flag)" in r.stderr


def test_index_search_query_snapshot(workdir):
    data = os.path.join(workdir, "data")
    r = run("index", "--dir", FIXTURE_SITE, "--base-url", "https://docs.example.org/", "--site", "ex",
            "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert "4 indexed" in r.stderr and "no title" in r.stderr
    snapshot = os.path.join(data, "ex.snapshot")
    assert os.path.getsize(snapshot) > 0

    config = write_config(workdir, data_dir=data)
    r = run("--config", config, "search", "instal", "--site", "ex", "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["total"] >= 1 and "install.html" in res["results"][0]["url"]
    r = run("--config", config, "search", "install", "--site", "ex")
    assert r.returncode == 0 and "https://docs.example.org/guide/install.html" in r.stdout
    assert "<b>" not in r.stdout  # highlight tags are for HTML; a pipe gets plain text

    lines = 'guide\n{"q": "install", "num": 1}\n{"q": 1}\nnot json {\n{"q": "x", "site": "nope"}\n'
    r = run("--config", config, "query", "--site", "ex", stdin=lines)
    assert r.returncode == 0
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(out) == 5
    assert out[0]["total"] >= 1
    assert len(out[1]["results"]) == 1
    assert out[2]["error"]["code"] == "invalid_request"
    assert "total" in out[3]  # plain text, even if it looks odd
    assert out[4]["error"]["code"] == "unknown_site"

    r = run("snapshot", "info", snapshot)
    assert r.returncode == 0 and "checksum:   ok" in r.stdout
    corrupt = os.path.join(workdir, "corrupt.snapshot")
    with open(snapshot, "rb") as f:
        blob = bytearray(f.read())
    blob[len(blob) // 2] ^= 0xFF
    with open(corrupt, "wb") as f:
        f.write(blob)
    r = run("snapshot", "info", corrupt)
    assert r.returncode == 1 and "corrupt_snapshot" not in r.stdout and r.stderr.strip()


def test_index_failures(workdir):
    empty = os.path.join(workdir, "empty")
    os.makedirs(empty, exist_ok=True)
    r = run("index", "--dir", empty, "--base-url", "https://x.example/", "--data-dir", os.path.join(workdir, "d2"))
    assert r.returncode == 1 and "no documents could be indexed" in r.stderr
    r = run("index", "--dir", empty)
    assert r.returncode == 2 and "--base-url" in r.stderr
