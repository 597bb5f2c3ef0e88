"""The `siteseek` command line, as a user runs it:
1. exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error; --help on every command;
2. config validate/show/schema: every error with its key path, secrets masked;
3. index --dir writes a snapshot and prints the report on stdout (with the attributes the
   records carry, from the site's URL rules); snapshot info describes it (site, hosts,
   pages/sections, version, checksum) and reports a corrupt one (exit 1);
4. search prints results (text and JSON); on a terminal the highlights become bold, on a pipe
   they are stripped;
5. query reads lines and answers one JSON line each, flushed per line (a driver can wait for
   each answer before writing the next); a bad line gets an error line and the stream goes on;
   "sub_results" lists a page's other matching sections under its result, the default line
   unchanged; "filters" and "facets" (a list or a comma-separated string) as HTTP's, each error
   typed (invalid_request for a wrong JSON type, invalid_filter, invalid_parameter);
   search --filter/--facet/--from-url: facets printed after the results, the context line;
6. index on a terminal redraws one progress line with \\r; on a pipe it writes plain lines;
7. index SITE_URL crawls a live site (the crawler's fixture server on 127.0.0.1);
8. serve indexes a site without a snapshot before serving it, even one it must crawl;
9. -v prints debug lines, --log-level warn silences the informational ones (global options go
   before or after the command);
10. index over several sites: a failed site does not stop the others, and the exit code is 1;
11. a snapshot built with other ingestion/analysis settings is rebuilt at the next start, naming
    the keys that changed; settings read at search time (weights, synonyms) reuse it;
12. keys create/list/revoke on the configured data_dir: the key printed once on stdout, the list
    (text and --json) masked, bad flags exit 2 naming them, an unknown id exits 1; a running
    server honours a key the CLI made, and refuses it once the CLI revoked it.
13. rules add/list/remove on the configured data_dir: each kind from its flags, the id printed
    on stdout, the list (text and --json), bad flags exit 2 naming them, an unknown id exits 1;
    a running server applies a rule the CLI added within a second, and search --explain (text and
    JSON) names it.
14. query takes live updates ({"upsert": [...]}, {"delete": [...]}): each answered with its
    report once searchable and kept; a bad document is an error line naming its key path; a later
    `siteseek search` reads the kept segments; snapshot info describes the segment manifest;
    snapshot upgrade of a manifest upgrades each file it names (format 8 to 11)."""
import json
import os
import pty
import re
import select
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from analytics_log import log_record  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from conftest import FIXTURE_SITE, Server, assert_no_sanitizer_report, siteseek_bin, write_config  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CRAWL_SERVER = os.path.join(HERE, "..", "..", "fixtures", "crawl_site", "server.py")


def clean_env(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITESEEK_")}
    env.update(extra or {})
    return env


def run(*args, stdin=None, env_extra=None):
    r = subprocess.run([siteseek_bin(), *args], input=stdin, capture_output=True, text=True,
                       env=clean_env(env_extra), timeout=120)
    assert_no_sanitizer_report(r.stderr)
    return r


def run_on_terminal(*args):
    """Run with stdout and stderr on a pseudo-terminal; returns (exit code, everything written)."""
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([siteseek_bin(), *args], stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal,
                            env=clean_env())
    os.close(terminal)
    out = b""
    deadline = time.time() + 60
    while time.time() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: the program ended
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    os.close(controller)
    return proc.wait(timeout=10), out.decode(errors="replace")


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory() as d:
        yield d


@pytest.fixture(scope="module")
def indexed(workdir):
    """The fixture site indexed as 'ex' under workdir/data, and a config pointing there."""
    data = os.path.join(workdir, "data")
    r = run("index", "--dir", FIXTURE_SITE, "--base-url", "https://docs.example.org/", "--site", "ex",
            "--data-dir", data)
    assert r.returncode == 0, r.stderr
    return {"run": r, "data": data, "snapshot": os.path.join(data, "ex.snapshot"),
            "config": write_config(workdir, data_dir=data)}


@pytest.fixture(scope="module")
def crawl_site():
    """The crawler's fixture web site on 127.0.0.1 (prints its port; stops when stdin closes)."""
    proc = subprocess.Popen(["/usr/bin/python3", CRAWL_SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    yield f"http://127.0.0.1:{port}"
    proc.stdin.close()
    proc.terminate()
    proc.wait(timeout=10)


def test_version_usage_errors_and_help():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip().count(".") == 2
    assert run("frobnicate").returncode == 2
    assert run("search").returncode == 2  # the query is required
    assert run("--log-level", "loud", "config", "schema").returncode == 2
    for command in (["serve"], ["index"], ["search"], ["query"], ["config"], ["config", "validate"], ["config", "show"],
                    ["config", "schema"], ["snapshot"], ["snapshot", "info"]):
        r = run(*command, "--help")
        assert r.returncode == 0 and "Usage:" in r.stdout, command


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
    # precedence: file < environment < flags
    r = run("--config", good, "config", "show", env_extra={"SITESEEK_PORT": "9001"})
    assert json.loads(r.stdout)["port"] == 9001
    r = run("--config", good, "--set", "port=9002", "config", "show", env_extra={"SITESEEK_PORT": "9001"})
    assert json.loads(r.stdout)["port"] == 9002


def test_index_report_and_snapshot_info(indexed, workdir):
    r = indexed["run"]
    assert "4 indexed" in r.stdout and "saved " in r.stdout
    assert "  skipped 1: no title" in r.stdout and "/broken.html" in r.stdout  # grouped by reason, with examples
    assert "5 fetched, 0 queued, 5 documents" in r.stderr  # progress: a plain line on a pipe
    # The draft page has nothing but its title: indexed, and named (no warning: other pages have text)
    assert "  without text besides their titles 1:\n    https://docs.example.org/guide/draft.html\n" in r.stdout
    assert "warning" not in r.stdout
    assert "\r" not in r.stderr
    r = run("snapshot", "info", indexed["snapshot"])
    assert r.returncode == 0, r.stderr
    info = dict(line.split(":", 1) for line in r.stdout.splitlines())
    info = {k: v.strip() for k, v in info.items()}
    assert info["site"] == "ex" and info["hosts"] == "docs.example.org" and info["checksum"] == "ok"
    assert info["documents"] == "5 (4 pages, 1 sections)" and int(info["terms"]) > 10
    assert int(info["bytes"]) == os.path.getsize(indexed["snapshot"]) and int(info["version"]) >= 1
    assert info["compact"] == "no"  # far below compact_above_mb
    parts = [p.rsplit(" ", 1) for p in info["largest"].split(", ")]  # what the memory is spent on, largest first
    assert len(parts) == 6 and all(name.isidentifier() for name, _ in parts)  # (a tiny index's fixed tables lead)
    assert [int(b) for _, b in parts] == sorted((int(b) for _, b in parts), reverse=True)
    assert sum(int(b) for _, b in parts) < int(info["memory"].split()[0])
    corrupt = os.path.join(workdir, "corrupt.snapshot")
    with open(indexed["snapshot"], "rb") as f:
        blob = bytearray(f.read())
    blob[len(blob) // 2] ^= 0xFF
    with open(corrupt, "wb") as f:
        f.write(blob)
    r = run("snapshot", "info", corrupt)
    assert r.returncode == 1 and "checksum:   FAILED" in r.stdout and "corrupt" in r.stderr


def test_search_text_json_and_terminal(indexed):
    config = indexed["config"]
    r = run("--config", config, "search", "instal", "--site", "ex", "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["total"] >= 1 and "install.html" in res["results"][0]["url"]
    assert set(res["results"][0]) == {"title", "section_title", "hierarchy", "body", "url"}
    r = run("--config", config, "search", "install", "--site", "ex")
    assert r.returncode == 0 and "https://docs.example.org/guide/install.html" in r.stdout
    assert "<b>" not in r.stdout and "\033[" not in r.stdout  # a pipe gets plain text
    assert r.stderr == ""  # loading the snapshot is a debug line for one-shot commands
    code, out = run_on_terminal("--config", config, "search", "install", "--site", "ex")
    assert code == 0 and "\033[1m" in out and "<b>" not in out  # a terminal gets bold
    r = run("--config", config, "search", "install", "--site", "nope")
    assert r.returncode == 2 and "ex" in r.stderr  # names the valid sites


def test_query_stream(indexed):
    lines = ('guide\n{"q": "install", "num": 1}\n{"q": 1}\nnot json {\n{"q": "x", "site": "nope"}\n'
             '{"q": "guide", "start": 1, "typo": false, "prefix": false}\n{"q": "instal", "colour": 1}\n'
             '{"q": "guide", "num": 2, "typo": false, "prefix": false}\n')
    r = run("--config", indexed["config"], "query", "--site", "ex", stdin=lines)
    assert r.returncode == 0
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(out) == 8
    assert out[0]["total"] >= 1 and set(out[0]) == {"total", "results", "took_ms"}
    assert len(out[1]["results"]) == 1
    assert out[2]["error"]["code"] == "invalid_request"
    assert "total" in out[3]  # plain text, even if it looks odd
    assert out[4]["error"]["code"] == "unknown_site"
    assert out[7]["total"] >= 2 and out[5]["results"][0] == out[7]["results"][1]  # start pages on
    assert out[6]["error"]["code"] == "invalid_request" and "colour" in out[6]["error"]["message"]


def test_query_stream_suggestions(indexed):
    # {"suggest": ...} lines get GET /suggest's answer; the stream goes on after a bad one.
    lines = ('{"suggest": "inst", "num": 4}\n{"suggest": "inst", "q": "x"}\n{"suggest": 3}\n'
             '{"suggest": "inst", "site": "nope"}\n{"suggest": "gui", "num": 1}\nguide\n')
    r = run("--config", indexed["config"], "query", "--site", "ex", stdin=lines)
    assert r.returncode == 0
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(out) == 6
    assert set(out[0]) == {"suggestions"} and 1 <= len(out[0]["suggestions"]) <= 4
    assert all(set(s) == {"text", "url"} for s in out[0]["suggestions"])
    words = [s["text"] for s in out[0]["suggestions"] if s["url"] is None]
    titles = [s for s in out[0]["suggestions"] if s["url"] is not None]
    assert words and all(w.startswith("inst") for w in words)
    assert any("Install" in s["text"] and "install.html" in s["url"] for s in titles)
    assert out[1]["error"]["code"] == "invalid_request" and "'q'" in out[1]["error"]["message"]
    assert out[2]["error"]["code"] == "invalid_request"
    assert out[3]["error"]["code"] == "unknown_site"
    assert len(out[4]["suggestions"]) == 1
    assert out[5]["total"] >= 1


def test_query_stream_sub_results(indexed):
    lines = ('apt\n{"q": "apt", "sub_results": 0}\n{"q": "apt", "sub_results": 2}\n{"q": "linux", "sub_results": 2}\n'
             '{"q": "apt", "sub_results": -1}\n{"q": "apt", "sub_results": "2"}\n')
    r = run("--config", indexed["config"], "query", "--site", "ex", stdin=lines)
    assert r.returncode == 0
    raw = [re.sub(r'"took_ms":[0-9.]+', '"took_ms":0', line) for line in r.stdout.splitlines()]
    out = [json.loads(line) for line in raw]
    assert len(out) == 6
    assert raw[0] == raw[1] and "sub_results" not in raw[0]  # off: the flat line, byte for byte
    page = "https://docs.example.org/guide/install.html"
    grouped = out[2]["results"]
    assert out[2]["total"] == out[0]["total"] == 1
    # One result for the page: its page record with the matching section under it, or the section
    # itself when it ranks first (never the page record under it).
    if grouped[0]["url"] == page:
        assert grouped[0]["sub_results"] == [{"title": "On Linux", "url": page + "#linux", "body": "Use <b>apt</b>, or this section."}]
    else:
        assert grouped[0]["url"] == page + "#linux" and grouped[0]["sub_results"] == []
    # The section leads for "linux": the page record is never listed under it.
    assert out[3]["results"][0]["url"] == page + "#linux" and out[3]["results"][0]["sub_results"] == []
    assert out[4]["error"]["code"] == out[5]["error"]["code"] == "invalid_request"
    assert "sub_results" in out[5]["error"]["message"]


def test_search_sub_results(indexed):
    # `search --sub-results N` asks what /search?sub_results=N asks: every result carries its page's
    # other matching sections (the key is there, maybe empty); without it, no result has the key.
    grouped = run("--config", indexed["config"], "search", "apt", "--site", "ex", "--sub-results", "2", "--json")
    assert grouped.returncode == 0, grouped.stderr
    results = json.loads(grouped.stdout)["results"]
    assert results and all("sub_results" in r for r in results)
    flat = run("--config", indexed["config"], "search", "apt", "--site", "ex", "--json")
    assert not any("sub_results" in r for r in json.loads(flat.stdout)["results"])
    text = run("--config", indexed["config"], "search", "apt", "--site", "ex", "--sub-results", "2")
    assert text.returncode == 0 and "docs.example.org/guide/install.html" in text.stdout


def test_query_stream_filters_and_facets(indexed):
    lines = ['guide', '{"q": "guide", "facets": ["type", "area"]}', '{"q": "guide", "facets": " type,area,"}',
             '{"q": "guide", "filters": "area:guide", "facets": ["area"], "num": 5}',
             '{"q": "guide", "filters": "NOT area:guide"}', '{"q": "guide", "facets": []}',
             '{"q": "guide", "filters": "type:page AND"}', '{"q": "guide", "filters": ["type:page"]}',
             '{"q": "guide", "facets": [1]}', '{"q": "guide", "facets": "Type"}',
             json.dumps({"q": "guide", "facets": [f"a{i}" for i in range(17)]}),
             json.dumps({"q": "guide", "filters": "type:page" + " " * 2040}), '{"q": "guide", "facet": "type"}']
    r = run("--config", indexed["config"], "query", "--site", "ex", stdin="\n".join(lines) + "\n")
    assert r.returncode == 0
    raw = [re.sub(r'"took_ms":[0-9.]+', '"took_ms":0', line) for line in r.stdout.splitlines()]
    out = [json.loads(line) for line in raw]
    assert len(out) == len(lines)
    total = out[0]["total"]
    assert raw[1] == raw[2] and list(out[1]["facets"]) == ["type", "area"]  # a list or a string: the same
    areas = {v["value"]: v["count"] for v in out[1]["facets"]["area"]["values"]}
    # Every result has a type; pages at the root (index.html) have no area.
    assert sum(v["count"] for v in out[1]["facets"]["type"]["values"]) == total > sum(areas.values())
    assert out[3]["total"] == areas["guide"] == len(out[3]["results"])  # exact under the filter
    assert out[3]["facets"] == {"area": {"values": [{"value": "guide", "count": areas["guide"]}]}}
    assert out[4]["total"] == total - areas["guide"]
    assert raw[5] == raw[0] and "facets" not in out[5]  # none asked: the plain line, byte for byte
    assert out[6]["error"]["code"] == "invalid_filter" and "position 14" in out[6]["error"]["message"]
    assert out[7]["error"]["code"] == out[8]["error"]["code"] == "invalid_request"
    assert out[7]["error"]["message"].startswith("filters: ") and out[8]["error"]["message"].startswith("facets: ")
    assert out[9]["error"]["code"] == "invalid_parameter" and '"Type"' in out[9]["error"]["message"]
    assert out[10]["error"]["code"] == "invalid_parameter" and out[10]["error"]["message"].startswith("facets ")
    assert out[11]["error"]["code"] == "invalid_parameter" and out[11]["error"]["message"].startswith("filters ")
    assert out[12]["error"]["code"] == "invalid_request" and "filters, facets, explain)" in out[12]["error"]["message"]


def test_search_filter_facet_and_context(indexed, tmp_path):
    base = ("--config", indexed["config"], "search", "guide", "--site", "ex")
    plain = json.loads(run(*base, "--json").stdout)
    # --facet repeated or comma-separated; --filter as filters=; --json is the HTTP body.
    faceted = run(*base, "--json", "--facet", "type", "--facet", "area,type", "--filter", "area:guide")
    assert faceted.returncode == 0, faceted.stderr
    body = json.loads(faceted.stdout)
    assert list(body["facets"]) == ["type", "area"] and body["total"] < plain["total"]
    assert body["facets"]["area"] == {"values": [{"value": "guide", "count": body["total"]}]}
    # Text: the facets after the results, one line each, most frequent first.
    text = run(*base, "-n", "1", "--facet", "area")
    assert text.returncode == 0, text.stderr
    last = text.stdout.rstrip("\n").splitlines()[-1]
    counts = {v["value"]: v["count"] for v in json.loads(run(*base, "--json", "--facet", "area").stdout)["facets"]["area"]["values"]}
    assert last == "area: " + " · ".join(f"{v} ({c})" for v, c in sorted(counts.items(), key=lambda x: (-x[1], x[0])))
    assert "context:" not in text.stdout
    # Errors: the code's exit status and the message with its position or the parameter.
    bad = run(*base, "--filter", "type:page AND")
    assert bad.returncode == 1 and "position 14" in bad.stderr
    bad = run(*base, "--facet", "Area")
    assert bad.returncode == 1 and '"Area"' in bad.stderr
    # The reader's page's context (the site's context_attributes), in text and JSON.
    data = str(tmp_path / "data")
    config = write_config(str(tmp_path), data_dir=data, sites=[
        {"name": "ex", "url": "https://docs.example.org/", "directory": FIXTURE_SITE, "title_separators": [" | "],
         "context_attributes": ["area"]}])
    reader = ("--config", config, "search", "guide", "--from-url", "https://docs.example.org/guide/install.html")
    kept = run(*reader, "--json")
    assert kept.returncode == 0, kept.stderr
    assert json.loads(kept.stdout)["context"] == [{"name": "area", "value": "guide"}]
    assert json.loads(kept.stdout)["total"] == counts["guide"]
    text = run(*reader).stdout.splitlines()
    assert text[1] == "context: area:guide (--filter area:* widens)"
    wide = json.loads(run(*reader, "--json", "--filter", "area:*").stdout)
    assert "context" not in wide and wide["total"] == sum(counts.values())  # every page with an area


def test_query_answers_each_line_before_the_next_arrives(indexed):
    proc = subprocess.Popen([siteseek_bin(), "--config", indexed["config"], "query", "--site", "ex"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=clean_env())
    try:
        for q in ("install", "guide", "welcome"):
            proc.stdin.write(q + "\n")
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 10)
            assert ready, f"no answer to {q!r} while stdin stays open"
            assert "total" in json.loads(proc.stdout.readline())
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=10) == 0


def test_query_stream_in_blocks_with_split_and_overlong_lines(indexed):
    # Many lines at once, a line cut across two writes, an over-long line, and a last line
    # without a newline: one answer per line, in order, and the stream goes on.
    proc = subprocess.Popen([siteseek_bin(), "--config", indexed["config"], "query", "--site", "ex"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=clean_env())
    try:
        proc.stdin.write(b"guide\n" * 500 + b"ins")
        proc.stdin.flush()
        answers = [json.loads(proc.stdout.readline()) for _ in range(500)]
        assert all("total" in a for a in answers)
        proc.stdin.write(b"tall\n" + b"x" * (2 << 20) + b"\nwelcome\nguide")
        proc.stdin.close()
        rest = [json.loads(line) for line in proc.stdout.read().splitlines()]
        assert len(rest) == 4
        assert rest[0]["total"] >= 1  # "install", written in two parts
        assert rest[1]["error"]["code"] == "line_too_long"
        assert "total" in rest[2] and "total" in rest[3]
    finally:
        assert proc.wait(timeout=10) == 0


def test_progress_on_a_terminal(workdir):
    code, out = run_on_terminal("index", "--dir", FIXTURE_SITE, "--base-url", "https://docs.example.org/",
                                "--site", "ex", "--data-dir", os.path.join(workdir, "tty-data"))
    assert code == 0, out
    assert "\r\033[Kex: 5 fetched, 0 queued, 5 documents, 0 errors" in out


def test_index_a_live_site_by_url(crawl_site, workdir):
    data = os.path.join(workdir, "crawl", "data")
    os.makedirs(data)
    r = run("index", crawl_site + "/", "--site", "fx", "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert "fx: " in r.stdout and "documents" in r.stdout
    assert "robots.txt" in r.stdout  # the report names what was skipped and why
    config = write_config(os.path.dirname(data), data_dir=data, sites=[{"name": "fx", "url": crawl_site + "/"}])
    r = run("--config", config, "search", "alpha", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["results"][0]["url"].startswith(crawl_site + "/a.html")


def test_serve_indexes_sites_without_a_snapshot(crawl_site):
    server = Server(api_key=None, sites=[
        {"name": "ex", "url": "https://docs.example.org/", "directory": FIXTURE_SITE},
        {"name": "fx", "url": crawl_site + "/"},
    ])
    try:
        status, _, body = server.get_json("/search?q=alpha&site=fx")
        assert status == 200 and body["results"][0]["url"].startswith(crawl_site + "/a.html")
        status, _, body = server.get_json("/search?q=install&site=ex")
        assert status == 200 and body["total"] >= 1
        assert os.path.exists(os.path.join(server.tmp.name, "data", "fx.snapshot"))
    finally:
        server.stop()


def test_log_levels(indexed):
    r = run("--config", indexed["config"], "-v", "search", "install", "--site", "ex")
    assert r.returncode == 0 and "settings: file " in r.stderr and "loaded snapshot" in r.stderr
    r = run("--config", indexed["config"], "search", "install", "--site", "ex", "--log-level", "warn")
    assert r.returncode == 0 and r.stderr == "" and "install.html" in r.stdout


def test_index_warns_when_no_page_has_text(workdir):
    # A site its scripts render in the browser (an empty <div id="app"> and Docsify's script, with
    # no Markdown beside it to read instead)
    site = os.path.join(workdir, "docsify")
    os.makedirs(site, exist_ok=True)
    with open(os.path.join(site, "index.html"), "w") as f:
        f.write('<html><head><title>Widget Toolkit</title></head><body><div id="app"></div>'
                '<script src="//cdn.jsdelivr.net/npm/docsify@4"></script></body></html>')
    r = run("index", "--dir", site, "--base-url", "https://w.example/", "--site", "w",
            "--data-dir", os.path.join(workdir, "docsify-data"))
    assert r.returncode == 0, r.stderr
    assert "1 indexed" in r.stdout
    assert "  warning: no page has text besides its title" in r.stdout and "pre-rendered HTML" in r.stdout
    assert "    https://w.example/index.html\n" in r.stdout


def test_index_reads_a_docsify_sites_markdown(workdir):
    # The site `docsify init` made (tests/fixtures/generators/built/docsify): its pages are its
    # Markdown files, at the routes Docsify shows them at; its index.html is skipped.
    site = os.path.join(os.path.dirname(FIXTURE_SITE), "..", "generators", "built", "docsify")
    data = os.path.join(workdir, "docsify-md-data")
    r = run("index", "--dir", site, "--base-url", "https://w.example/", "--site", "w", "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert "5 indexed" in r.stdout and "read as: docsify 5" in r.stdout, r.stdout
    assert "a Docsify page: its pages are its Markdown files" in r.stdout and "warning" not in r.stdout
    r = run("search", "verifying the install", "--site", "w", "--data-dir", data, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["results"][0]["url"] == "https://w.example/#/guide?id=verifying-the-install"


def test_a_compact_site_answers_as_one_that_is_not(workdir):
    # The fixture site indexed twice, the second time with compact_above_mb 0: its bodies are
    # compressed and its postings packed, and every search answers the same, snippets included.
    answers = {}
    for compact in (False, True):
        home = os.path.join(workdir, f"compact-{compact}")  # its own config.json: the module's stays
        os.makedirs(home, exist_ok=True)
        data = os.path.join(home, "data")
        site = {"name": "ex", "url": "https://docs.example.org/", "directory": FIXTURE_SITE}
        if compact:
            site["compact_above_mb"] = 0
        config = write_config(home, data_dir=data, sites=[site])
        r = run("--config", config, "index", "--site", "ex")
        assert r.returncode == 0, r.stderr
        r = run("snapshot", "info", os.path.join(data, "ex.snapshot"))
        assert r.returncode == 0, r.stderr
        assert ("compact:    yes" in r.stdout) == compact, r.stdout
        lines = "".join(json.dumps({"q": q}) + "\n" for q in ("install", "apt", "guide", "instal", "the"))
        r = run("--config", config, "query", "--site", "ex", stdin=lines)
        assert r.returncode == 0, r.stderr
        answers[compact] = [{k: v for k, v in json.loads(line).items() if k != "took_ms"} for line in r.stdout.splitlines()]
    assert answers[True] == answers[False]
    assert any(res["body"] for a in answers[True] for res in a["results"])


def test_index_reports_attributes(workdir):
    data = os.path.join(workdir, "attributes-data")
    config = write_config(workdir, data_dir=data, sites=[{
        "name": "ex", "url": "https://docs.example.org/", "directory": FIXTURE_SITE,
        "attributes": [{"pattern": "/(guide)/", "attribute": "part", "value": "$1"},
                       {"pattern": "/([a-z]+)\\.html$", "attribute": "file", "value": "$1"}]}])
    r = run("--config", config, "index", "--site", "ex")
    assert r.returncode == 0, r.stderr
    assert "  attributes (distinct values): file 3, part 1\n" in r.stdout  # index, install, draft; guide
    assert "left out" not in r.stdout


def test_index_failures(workdir):
    empty = os.path.join(workdir, "empty")
    os.makedirs(empty, exist_ok=True)
    r = run("index", "--dir", empty, "--base-url", "https://x.example/", "--data-dir", os.path.join(workdir, "d2"))
    assert r.returncode == 1 and "no documents could be indexed" in r.stderr
    r = run("index", "--dir", empty)
    assert r.returncode == 2 and "--base-url" in r.stderr
    # Two sites, one of them empty: the other is still indexed and saved; the exit code says 1.
    data = os.path.join(workdir, "d3")
    os.makedirs(data)
    config = write_config(data, data_dir=data, sites=[
        {"name": "bad", "url": "https://x.example/", "directory": empty},
        {"name": "good", "url": "https://docs.example.org/", "directory": FIXTURE_SITE},
    ])
    r = run("--config", config, "index")
    assert r.returncode == 1 and "bad: " in r.stderr and "good: saved" in r.stdout
    assert os.path.exists(os.path.join(data, "good.snapshot")) and not os.path.exists(os.path.join(data, "bad.snapshot"))
    r = run("--config", config, "index", "--site", "nope")
    assert r.returncode == 2 and "good" in r.stderr


def test_a_snapshot_built_with_other_settings_is_rebuilt(workdir):
    data = os.path.join(workdir, "shape-data")
    base = {"name": "ex", "url": "https://docs.example.org/", "directory": FIXTURE_SITE}

    def search_with(site):
        config = os.path.join(workdir, "shape.json")
        with open(config, "w") as f:
            json.dump({"data_dir": data, "sites": [site]}, f)
        return run("--config", config, "search", "install", "--site", "ex", "--json")

    r = search_with(base)
    assert r.returncode == 0 and "no snapshot yet" in r.stderr, r.stderr
    built = os.stat(os.path.join(data, "ex.snapshot")).st_mtime_ns
    r = search_with(dict(base, field_weights={"title": 9}, synonyms=[["setup", "install"]]))
    assert r.returncode == 0 and r.stderr == "", r.stderr  # read at search time: the snapshot stays
    assert os.stat(os.path.join(data, "ex.snapshot")).st_mtime_ns == built
    r = search_with(dict(base, boosts={"link_list": 0.8}, title_separators=[" | "]))
    assert r.returncode == 0, r.stderr
    assert "the snapshot was built with other settings (title_separators, boosts.link_list)" in r.stderr, r.stderr
    assert os.stat(os.path.join(data, "ex.snapshot")).st_mtime_ns != built
    assert json.loads(r.stdout)["results"]
    r = search_with(dict(base, boosts={"link_list": 0.8}, title_separators=[" | "]))
    assert r.returncode == 0 and r.stderr == "", r.stderr  # rebuilt once, then reused


def test_a_data_directory_describes_itself(workdir):
    # `index --dir` with no settings file keeps the site's settings beside its snapshot, so search,
    # query and serve over that data directory need no settings file either (they used to answer
    # "no sites are configured").
    data = os.path.join(workdir, "self-described")
    r = run("index", "--dir", FIXTURE_SITE, "--base-url", "https://ex.example/", "--site", "ex", "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(data)) == ["ex.site.json", "ex.snapshot"]
    r = run("search", "install", "--data-dir", data, "--json")
    assert r.returncode == 0, r.stderr
    found = json.loads(r.stdout)
    assert found["total"] >= 1 and found["results"][0]["url"].startswith("https://ex.example/")
    r = run("query", "--data-dir", data, stdin="install\n")
    assert r.returncode == 0 and json.loads(r.stdout.splitlines()[0])["total"] == found["total"], r.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITESEEK_")}
    log_path = os.path.join(workdir, "serve-self-described.log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen([siteseek_bin(), "serve", "--port", "0", "--data-dir", data], stdout=log,
                                stderr=subprocess.STDOUT, env=env)
    try:
        port = None
        deadline = time.time() + 30
        while port is None and time.time() < deadline and proc.poll() is None:
            m = re.search(r"on http://127\.0\.0\.1:(\d+)/", open(log_path).read())
            port = int(m.group(1)) if m else time.sleep(0.05)
        assert port, open(log_path).read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/search?q=install", timeout=10) as resp:
            assert json.loads(resp.read())["total"] == found["total"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert_no_sanitizer_report(open(log_path).read())


def test_keys_create_list_revoke(tmp_path):
    config = write_config(str(tmp_path))
    r = run("--config", config, "keys", "create", "--action", "search", "--action", "suggest", "--site", "ex",
            "--expires", "2099-01-01T00:00:00Z", "--description", "docs widget")
    assert r.returncode == 0, r.stderr
    key = r.stdout.strip()
    assert re.fullmatch(r"ssk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", key), r.stdout
    key_id = key.split("_")[1]
    listed = run("--config", config, "keys", "list")
    assert listed.returncode == 0 and key_id in listed.stdout and "docs widget" in listed.stdout
    assert key.split("_", 2)[2] not in listed.stdout
    as_json = json.loads(run("--config", config, "keys", "list", "--json").stdout)["keys"]
    assert [k["key"] for k in as_json] == ["ssk_" + key_id + "_…"]
    assert as_json[0]["actions"] == ["search", "suggest"] and as_json[0]["sites"] == ["ex"]
    assert as_json[0]["expires_at"] == "2099-01-01T00:00:00Z"
    assert key.split("_", 2)[2] not in open(os.path.join(str(tmp_path), "data", "keys.json")).read()
    for bad, named in ((["--action", "statistics"], "actions[0]"), (["--action", "search", "--expires", "tomorrow"], "--expires"),
                       (["--action", "search", "--site", "nope"], "nope")):
        r = run("--config", config, "keys", "create", *bad)
        assert r.returncode == 2 and named in r.stderr, (bad, r.stderr)
    assert run("--config", config, "keys", "create").returncode == 2  # --action is required
    # A running server honours the CLI's key, and refuses it within a second of its revocation.
    server = Server(sites=[
        {"name": "ex", "url": "https://docs.example.org/", "directory": FIXTURE_SITE, "search_access": "key"}],
        data_dir=os.path.join(str(tmp_path), "data"))
    try:
        assert server.get_json("/search?q=install", {"X-API-KEY": key})[0] == 200
        assert run("--config", config, "keys", "revoke", key_id).returncode == 0
        deadline = time.time() + 3
        while time.time() < deadline and server.get_json("/search?q=install", {"X-API-KEY": key})[0] == 200:
            time.sleep(0.05)
        assert server.get_json("/search?q=install", {"X-API-KEY": key})[0] == 401
    finally:
        server.stop()
    r = run("--config", config, "keys", "revoke", key_id)
    assert r.returncode == 1 and "no key with id" in r.stderr
    assert json.loads(run("--config", config, "keys", "list", "--json").stdout)["keys"] == []


def test_rules_add_list_remove(tmp_path):
    config = write_config(str(tmp_path))
    add = lambda *flags: run("--config", config, "rules", "add", "--site", "ex", *flags)  # noqa: E731
    r = add("--pin", "install", "--url", "/guide/draft.html", "--url", "/index.html", "--prefix", "--note", "from the report")
    assert r.returncode == 0, r.stderr
    pin_id = r.stdout.strip()
    assert re.fullmatch(r"r[0-9a-f]{12}", pin_id), r.stdout
    ids = [pin_id]
    for flags in (["--synonyms", "setup, install"], ["--one-way", "zzword", "--to", "install,guide"],
                  ["--hide", "guide", "--url", "/guide/draft.html"], ["--boost", "guide", "--url", "/index.html", "--factor", "0.5"]):
        r = add(*flags)
        assert r.returncode == 0, (flags, r.stderr)
        ids.append(r.stdout.strip())
    listed = run("--config", config, "rules", "list", "--site", "ex")
    assert listed.returncode == 0 and all(i in listed.stdout for i in ids) and "from the report" in listed.stdout
    as_json = json.loads(run("--config", config, "rules", "list", "--site", "ex", "--json").stdout)
    assert [x["kind"] for x in as_json["rules"]] == ["pin", "synonyms", "one_way", "hide", "boost"]
    assert as_json["rules"][0]["match"] == "prefix" and as_json["rules"][0]["urls"] == ["/guide/draft.html", "/index.html"]
    assert as_json["rules"][2]["to"] == ["install", "guide"] and as_json["rules"][4]["factor"] == 0.5
    for bad, named in ((["--pin", "x"], "urls"), (["--pin", "x", "--url", "nope"], "rule.urls[0]"),
                       (["--hide", "x", "--synonyms", "a,b"], "exactly one"), (["--boost", "x", "--url", "/a", "--factor", "0"], "rule.factor")):
        r = add(*bad)
        assert r.returncode == 2 and named in r.stderr, (bad, r.stderr)
    assert run("--config", config, "rules", "list", "--site", "nope").returncode == 2
    assert run("--config", config, "rules", "remove", "--site", "ex", "nope").returncode == 1
    for i in ids[1:]:
        assert run("--config", config, "rules", "remove", "--site", "ex", i).returncode == 0
    assert [x["id"] for x in json.loads(run("--config", config, "rules", "list", "--site", "ex", "--json").stdout)["rules"]] == [pin_id]
    # search --explain names the rule; a running server applies a rule the CLI adds.
    explained = run("--config", config, "search", "installing", "--site", "ex", "--explain")
    assert explained.returncode == 0 and "rule " + pin_id + " (pin)" in explained.stdout, explained.stdout
    body = json.loads(run("--config", config, "search", "install", "--site", "ex", "--explain", "--json").stdout)
    assert body["explain"]["rules"][0]["id"] == pin_id and body["results"][0]["url"].endswith("/guide/draft.html")
    server = Server(data_dir=os.path.join(str(tmp_path), "data"))
    try:
        first = lambda: server.get_json("/search?q=guide")[2]["results"][0]["url"]  # noqa: E731
        before = first()
        r = add("--pin", "guide", "--url", "/guide/draft.html")
        assert r.returncode == 0, r.stderr
        deadline = time.time() + 3
        while time.time() < deadline and first() == before:
            time.sleep(0.05)
        assert first().endswith("/guide/draft.html")
    finally:
        server.stop()


def test_analytics_report_from_the_data_dir(tmp_path):
    """`siteseek query` records nothing by default; with --analytics it does, and `siteseek
    analytics` reads data_dir/analytics: a table for people, the HTTP report's JSON with --json."""
    data = os.path.join(str(tmp_path), "data")
    config = write_config(str(tmp_path), data_dir=data)
    assert run("--config", config, "query", "--site", "ex", stdin="guide\n").returncode == 0
    assert not os.path.exists(os.path.join(data, "analytics"))
    r = run("--config", config, "query", "--analytics", "--site", "ex", stdin="Guide \nguide\nzzzqqqxx\n")
    assert r.returncode == 0, r.stderr
    assert all("query_id" in json.loads(line) for line in r.stdout.splitlines())
    r = run("--config", config, "analytics", "--json", "--site", "ex")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["site"] == "ex" and report["searches"] == 3
    assert [(q["query"], q["searches"]) for q in report["top_queries"]] == [("guide", 2), ("zzzqqqxx", 1)]
    assert [q["query"] for q in report["zero_results"]] == ["zzzqqqxx"]
    assert [q["query"] for q in report["no_clicks"]] == ["guide"]
    assert len(report["days"]) == 30
    table = run("--config", config, "analytics")
    assert table.returncode == 0 and "Top queries" in table.stdout and "zzzqqqxx" in table.stdout
    assert "3 searches" in table.stdout
    bad = run("--config", config, "analytics", "--from", "2026-99-01")
    assert bad.returncode != 0 and "from must be a date" in bad.stderr
    assert run("--config", config, "analytics", "--site", "nope").returncode != 0


def test_analytics_proposal_accepted_with_the_printed_command(tmp_path):
    """`siteseek analytics` prints each suggested fix with a `siteseek rules add --json` command
    line carrying the analytics command's own --config (quoted for a shell, a query with a quote
    included); running it as printed adds the rule, after which the fix is no longer proposed and
    the query finds the clicked page."""
    data = os.path.join(str(tmp_path), "data")
    config = write_config(str(tmp_path), data_dir=data)
    q, r, clicked = "zzdon't", "install", "https://docs.example.org/guide/install.html"
    now = int(time.time())
    records = b""
    for n, session in enumerate(("cli-session-0001", "cli-session-0002")):
        records += log_record(1, now - 100 + n, 10 * n + 1, "ex", session, q, results=0)
        records += log_record(1, now - 90 + n, 10 * n + 2, "ex", session, r, results=4)
        records += log_record(3, now - 80 + n, 10 * n + 2, "ex", session, position=1, url=clicked)
    os.makedirs(os.path.join(data, "analytics"))
    with open(os.path.join(data, "analytics", time.strftime("%Y-%m-%d.log", time.gmtime(now))), "wb") as f:
        f.write(b"SSAL1\n\0\0" + records)

    table = run("--config", config, "analytics", "--site", "ex")
    assert table.returncode == 0 and "Suggested fixes" in table.stdout, table.stderr
    commands = [line.strip() for line in table.stdout.splitlines() if " rules add " in line]
    assert len(commands) == 1, table.stdout
    argv = shlex.split(commands[0])
    assert argv[:7] == ["siteseek", "--config", config, "rules", "add", "--site", "ex"] and argv[7] == "--json"
    rule = json.loads(argv[8])
    assert rule["kind"] == "one_way" and rule["from"] == q and rule["to"] == [r]
    report = json.loads(run("--config", config, "analytics", "--json", "--site", "ex").stdout)
    assert report["proposals"][0]["rule"] == rule

    added = run(*argv[1:])  # exactly as printed: the same store
    assert added.returncode == 0, added.stderr
    listed = json.loads(run("--config", config, "rules", "list", "--site", "ex", "--json").stdout)["rules"]
    assert [(x["kind"], x["from"], x["note"]) for x in listed] == [("one_way", q, rule["note"])]
    assert json.loads(run("--config", config, "analytics", "--json", "--site", "ex").stdout)["proposals"] == []
    found = json.loads(run("--config", config, "search", q, "--site", "ex", "--json").stdout)
    assert clicked in [x["url"] for x in found["results"]], found
    # --json takes no other rule flag; a bad rule names its field.
    bad = run("--config", config, "rules", "add", "--site", "ex", "--json", json.dumps(rule), "--pin", "x")
    assert bad.returncode == 2 and "exactly one" in bad.stderr
    bad = run("--config", config, "rules", "add", "--site", "ex", "--json", '{"kind": "pin", "query": "x", "urls": ["nope"]}')
    assert bad.returncode == 2 and "rule.urls[0]" in bad.stderr


def test_query_stream_live_updates(tmp_path):
    """14. updates through the stdin transport, kept in data_dir for the next command."""
    config = write_config(str(tmp_path))
    assert run("--config", config, "index", "--site", "ex").returncode == 0
    page = "https://docs.example.org/guide/install.html"
    lines = "\n".join([
        json.dumps({"upsert": [{"url": page, "title": "Installing", "body": "Unpack the quokkaball."}]}),
        "quokkaball",
        json.dumps({"upsert": [{"url": page, "title": 3}]}),
        json.dumps({"upsert": [{"url": "https://docs.example.org/new.html", "body": "zeppelinword"}], "delete": [page],
                    "site": "https://docs.example.org/"}),  # a site named by its URL, as searches may
        json.dumps({"delete": ["https://docs.example.org/x.html"], "colour": 1}),
        json.dumps({"delete": [page], "site": "nope"}),
        "quokkaball",
        json.dumps({"q": "zeppelinword"}),
    ]) + "\n"
    r = run("--config", config, "query", "--site", "ex", stdin=lines)
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(out) == 8, out
    assert out[0]["site"] == "ex" and out[0]["added"] == 1 and out[0]["removed"] >= 1 and out[0]["segments"] == 2
    assert out[1]["total"] == 1 and out[1]["results"][0]["url"] == page
    assert out[2]["error"]["code"] == "invalid_document" and "upsert[0].title must be a string" in out[2]["error"]["message"]
    assert out[3]["added"] == 1 and out[3]["removed"] == 1 and out[3]["site"] == "ex"
    assert out[4]["error"]["code"] == "invalid_request" and "colour" in out[4]["error"]["message"]
    assert out[5]["error"]["code"] == "unknown_site"
    assert out[6]["total"] == 0 and out[7]["total"] == 1
    # The next command reads what the stream kept.
    r = run("--config", config, "search", "zeppelinword", "--site", "ex", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["total"] == 1, r.stdout + r.stderr
    r = run("snapshot", "info", str(tmp_path / "data" / "ex.segments"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "segments:   " in r.stdout and "live documents:" in r.stdout, r.stdout
    # snapshot upgrade of a manifest checks each file it names (all current here).
    r = run("snapshot", "upgrade", str(tmp_path / "data" / "ex.segments"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("already format") == len(json.load(open(tmp_path / "data" / "ex.segments"))["segments"]), r.stdout


def built_at_of(snapshot):
    """A format-8 or 9 snapshot's build time (ns), read from its metadata as the manifest names it."""
    with open(snapshot, "rb") as f:
        b = f.read()
    at = int.from_bytes(b[16:24], "little")  # the metadata's offset

    def string(at):
        n = int.from_bytes(b[at:at + 8], "little")
        return at + 8 + n

    def strings(at):
        n = int.from_bytes(b[at:at + 8], "little")
        at += 8
        for _ in range(n):
            at = string(at)
        return at
    at = string(strings(strings(string(string(at)))))  # layout, language, stop words, literal terms, shape
    return int.from_bytes(b[at:at + 8], "little", signed=True)


def test_a_manifest_of_an_older_format_is_upgraded_file_by_file(tmp_path):
    """A data_dir whose segment manifest names a format-8 file (tests/fixtures/snapshots/): refused
    with the command that upgrades it; `snapshot upgrade <site>.segments` upgrades each file it
    names in place (in the current format, 11), and the manifest then opens as it is."""
    data = tmp_path / "data"
    data.mkdir()
    fixture = os.path.join(HERE, "..", "..", "fixtures", "snapshots", "format8.snapshot")
    with open(fixture, "rb") as src, open(data / "site.snapshot", "wb") as dst:
        dst.write(src.read())
    manifest = {"format": 1, "segments": [{"file": "site.snapshot", "records": 5, "built_at": built_at_of(data / "site.snapshot"),
                                           "deleted": [4]}]}
    (data / "site.segments").write_text(json.dumps(manifest))
    r = run("snapshot", "info", str(data / "site.segments"))
    assert r.returncode == 1 and "format version 8" in r.stderr and "siteseek snapshot upgrade" in r.stderr, r.stdout + r.stderr
    r = run("snapshot", "upgrade", str(data / "site.segments"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == f"{data / 'site.snapshot'}: upgraded from format 8 to 11\n", r.stdout
    r = run("snapshot", "info", str(data / "site.segments"))
    assert r.returncode == 0 and "live documents: 4" in r.stdout, r.stdout + r.stderr
