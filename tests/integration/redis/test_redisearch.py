"""backend = "redisearch" through the HTTP API, with a real redis-server running Debian's
RediSearch 1.2 module on a free loopback port: the node indexes its site into RediSearch at
start and answers /search with FT.SEARCH, in the embedded engine's response shape; a hung or
stopped Redis gives 503 redis_unavailable quickly (never a hang), and searches answer again by
themselves once Redis is back. Filters, facets and @name:value give the embedded engine's
totals and counts; curation rules apply with the embedded engine's explain; sub_results is
refused (400 unsupported_parameter)."""
import json
import os
import subprocess
import time

import pytest

from conftest import API_KEY, Server
from support import REDISEARCH_MODULE, Redis, eventually

pytestmark = pytest.mark.skipif(not os.path.exists(REDISEARCH_MODULE), reason="redis-redisearch is not installed")

KEYS = ["title", "section_title", "hierarchy", "body", "url"]


@pytest.fixture(scope="module")
def redis():
    r = Redis("--loadmodule", REDISEARCH_MODULE)
    yield r
    r.stop()


@pytest.fixture(scope="module")
def nodes(redis):
    rs = Server(backend="redisearch", redis_url=redis.url)
    embedded = Server()
    yield rs, embedded
    rs.stop()
    embedded.stop()


def test_same_contract_as_the_embedded_engine(nodes):
    rs, embedded = nodes
    for q in ["install", "guide", "setup", "instal", "linux+apt"]:
        status, _, a = rs.get_json(f"/search?q={q}&site=ex")
        assert status == 200, a
        _, _, b = embedded.get_json(f"/search?q={q}&site=ex")
        assert list(a.keys())[:2] == ["total", "results"] and "took_ms" in a
        for r in a["results"]:
            assert list(r.keys()) == KEYS
        assert a["results"], q
        # Rankings differ between engines; the best page is the same.
        assert a["results"][0]["url"].split("#")[0] == b["results"][0]["url"].split("#")[0], (q, a, b)
    _, _, a = rs.get_json("/search?q=apt&site=ex")
    assert "<b>apt</b>" in a["results"][0]["body"], a
    status, hdrs, a = rs.get_json("/search?q=guide&site=ex&num=1000")
    assert status == 200 and hdrs.get("X-Siteseek-Num-Clamped") == "5"
    status, _, a = rs.get_json("/search?q=install&site=nowhere")
    assert status == 400 and a["error"]["code"] == "unknown_site"
    # Sub-results are the embedded engine's: refused with a code of their own, not answered flat.
    status, _, a = rs.get_json("/search?q=install&site=ex&sub_results=2")
    assert status == 400 and a["error"]["code"] == "unsupported_parameter", a
    assert rs.get_json("/search?q=install&site=ex&sub_results=0")[0] == 200
    assert rs.get_json("/search?q=install&site=ex&filters=&facets=")[0] == 200


def test_filters_and_facets_as_the_embedded_engine(nodes):
    rs, embedded = nodes
    for asked in ("filters=type:page", "filters=NOT+type:section+AND+area:*", "filters=area:guide&facets=area",
                  "facets=area&filters=NOT+type:section", "facets=area", "q=guide+@type:section", "filters=type:nothing"):
        path = "/search?site=ex&typo=0&" + (asked if asked.startswith("q=") else "q=guide&" + asked)
        status, _, a = rs.get_json(path)
        assert status == 200, (asked, a)
        _, _, b = embedded.get_json(path)
        assert (a["total"], a.get("facets")) == (b["total"], b.get("facets")), (asked, a, b)
    # An attribute no record has: the same 400 from both.
    for asked in ("filters=verison:1", "q=guide+@verison:1", "filters=type:"):
        status, _, a = rs.get_json("/search?site=ex&q=guide&" + asked if not asked.startswith("q=") else "/search?site=ex&" + asked)
        _, _, b = embedded.get_json("/search?site=ex&q=guide&" + asked if not asked.startswith("q=") else "/search?site=ex&" + asked)
        assert status == 400 and a["error"] == b["error"], (asked, a, b)


def test_curation_rules_as_the_embedded_engine(nodes):
    """Rules set over HTTP reach the RediSearch searches (the node passes them compiled, blocking
    and asynchronous alike): pins lead, a hide removes its page from results and total, a one-way
    synonym finds what its target finds, a boost lifts a page; explain is the embedded engine's."""
    rs, embedded = nodes
    admin = {"X-API-KEY": API_KEY}
    rules = {"rules": [
        {"id": "pin", "kind": "pin", "query": "install", "urls": ["/guide/draft.html", "/index.html"]},
        {"id": "hide", "kind": "hide", "query": "guide", "url": "/guide/install.html"},
        {"id": "syn", "kind": "one_way", "from": "zanzibar", "to": ["installer"]},
        {"id": "boost", "kind": "boost", "query": "guide", "url": "/guide/draft.html", "factor": 1000},
    ]}
    for s in (rs, embedded):
        status, _, raw = s.request("PUT", "/sites/ex/rules", admin, json.dumps(rules).encode())
        assert status == 200, raw
    try:
        for q in ("install", "guide", "zanzibar"):
            path = f"/search?site=ex&typo=0&num=5&explain=true&q={q}"
            status, _, a = rs.get_json(path)
            assert status == 200, a
            _, _, b = embedded.get_json(path)
            assert a["explain"] == b["explain"], (q, a, b)
            assert a["total"] == b["total"], (q, a, b)
            assert a["results"], q
        _, _, a = rs.get_json("/search?site=ex&typo=0&q=install&explain=true")
        assert [r["url"] for r in a["results"][:2]] == ["https://docs.example.org/guide/draft.html",
                                                        "https://docs.example.org/index.html"], a
        assert a["results"][0]["rules"] == [{"id": "pin", "kind": "pin", "effect": "pinned at position 1"}]
        _, _, a = rs.get_json("/search?site=ex&typo=0&q=guide")
        assert not any("guide/install.html" in r["url"] for r in a["results"]), a
        assert a["results"][0]["url"] == "https://docs.example.org/guide/draft.html", a
        _, _, a = rs.get_json("/search?site=ex&typo=0&q=zanzibar")
        assert a["results"] and "explain" not in a, a
    finally:
        for s in (rs, embedded):
            s.request("PUT", "/sites/ex/rules", admin, json.dumps({"rules": []}).encode())


def test_outages_answer_503_at_once_and_heal(nodes, redis):
    rs, _ = nodes
    redis.freeze()
    try:
        t0 = time.time()
        status, _, body = rs.get_json("/search?q=install&site=ex")
        assert status == 503 and body["error"]["code"] == "redis_unavailable", body
        assert time.time() - t0 < 5  # the command timeout (2 s), not a hang
        assert rs.get_json("/health")[0] == 503
    finally:
        redis.thaw()
    # The client reconnects by itself; the data is still there.
    assert eventually(lambda: rs.get_json("/search?q=install&site=ex")[0] == 200, timeout=10)
    assert rs.get_json("/search?q=install&site=ex")[2]["results"]
    assert eventually(lambda: rs.get_json("/health")[0] == 200, timeout=10)
    redis.stop()
    try:
        t0 = time.time()
        status, _, body = rs.get_json("/search?q=install&site=ex")
        assert status == 503 and body["error"]["code"] == "redis_unavailable", body
        assert time.time() - t0 < 1.5
        assert "redis" in rs.get_json("/health")[2]["error"]["message"].lower()
    finally:
        redis.start()


def test_a_redis_without_the_index_is_filled_at_start(tmp_path):
    # A node with snapshots meets a Redis that has no RediSearch index for its sites (a new or
    # flushed Redis): it indexes them into RediSearch at start instead of answering nothing.
    data = str(tmp_path / "data")
    Server(data_dir=data).stop()  # the embedded engine leaves its snapshots in data_dir
    assert os.path.exists(os.path.join(data, "ex.snapshot"))
    fresh = Redis("--loadmodule", REDISEARCH_MODULE)
    try:
        node = Server(backend="redisearch", redis_url=fresh.url, data_dir=data)
        try:
            status, _, body = node.get_json("/search?q=install&site=ex")
            assert status == 200 and body["results"], body
            with open(node.log_path) as f:
                assert "ex: the search backend has no index for it" in f.read()
        finally:
            node.stop()
    finally:
        fresh.stop()


def test_a_reindex_is_served_through_the_new_index():
    own = Redis("--loadmodule", REDISEARCH_MODULE)
    try:
        rs = Server(backend="redisearch", redis_url=own.url)
        try:
            current = lambda: subprocess.run(["redis-cli", "-p", str(own.port), "GET", "siteseek:rs:ex:current"],
                                             capture_output=True, text=True, check=True).stdout.strip()
            before, generation = rs.get_json("/search?q=install&site=ex")[2], current()
            assert before["results"]
            status, _, body = rs.request("POST", "/indexer?site=ex", {"X-API-KEY": API_KEY})
            assert status == 202, body
            job_id = json.loads(body)["jobs"][0]
            assert eventually(lambda: rs.get_json(f"/jobs/{job_id}", {"X-API-KEY": API_KEY})[2]["status"] == "finished")
            assert current() != generation  # a new generation swapped in, the searched one dropped
            after = rs.get_json("/search?q=install&site=ex")
            assert after[0] == 200 and after[2]["results"] == before["results"], after
        finally:
            rs.stop()
    finally:
        own.stop()
