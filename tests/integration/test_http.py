"""The HTTP API over real sockets against a real `siteseek serve` process:
1. /search: the response's shape, results and highlights, bad parameters; sub_results lists a
   page's other matching sections under its one result, and leaves the default bytes as they were;
   filters keep exact totals, facets count every result, a bad filter is 400 naming its position,
   too many or misspelt facets are 400, the reader's page's context applies and filters widen it;
2. /suggest, /sites, /health, /metrics, /openapi.json; a repeated search answered from the result cache;
3. unknown routes (404) and wrong methods (405) as JSON errors;
4. admin endpoints: 403 without a configured key, 401 for a missing or wrong key, jobs that run;
   a site added by PUT /sites/{name} is indexed and searchable, bad settings are 400 naming the key,
   DELETE removes it;
5. CORS: allowed and refused origins, preflight;
6. limits: oversized headers (431), bodies (413), targets (414), long q (414), slow clients;
7. pipelined requests, concurrent searches during reindexing, graceful shutdown on SIGTERM;
8. running out of file descriptors: accepting pauses, then resumes;
9. the search page, results page and widget files, gzip-compressed for clients that accept it;
10. keys (docs/security.md): a key limited to search cannot queue a reindex or search a site not
    its own (403), a key-only site needs a key (401) and takes one, revoked and expired keys are
    401, the key list never shows a secret, audit lines name the key id; scoped tokens made with
    the docs' stand-alone Python example narrow filters, sites and num, and a changed, foreign-
    signed or expired token is refused;
11. rate limits: a flooded address gets 429 with Retry-After and a JSON error while another is
    served, and is served again after Retry-After; admin routes (before the key check) and API
    keys have their own budgets; X-Forwarded-For is believed from trusted proxies only, Forwarded
    when configured, IPv6 per /64; /metrics counts the refusals; a flood of 120,000 addresses
    leaves the server's memory flat (the table does not grow).
12. curation rules: added, listed, replaced and removed over HTTP with a key holding `curation`
    (401/403 without), in force in the next search with no reindex, explain=true naming them, and
    followed by a second server on the same data_dir and by a restart;
13. analytics: query ids, click beacons (accepted and refused), the key-protected report, and
    no address or user agent in the files; the report's suggested fixes, accepted by POSTing a
    proposal's rule as is, make the rephrased query find the page readers clicked, and are then
    no longer proposed.
14. live updates: POST and DELETE /sites/{name}/documents with a key holding `indexer` (401/403
    without), searchable when answered, errors naming the document's key path, and kept across a
    restart (the segments and manifest in data_dir) until a reindex builds the site whole."""
import base64
import gzip
import json
import os
import platform
import re
import resource
import socket
import subprocess
import threading
import time
import urllib.parse

import pytest
from conftest import API_KEY, FIXTURE_SITE, Server, refuse_io_uring


def test_search_shape_and_results(server):
    status, headers, body = server.get_json("/search?q=install")
    assert status == 200
    assert list(body) == ["total", "results", "took_ms", "query_id"]  # query_id: analytics is on (docs/analytics.md)
    assert body["total"] >= 1
    first = body["results"][0]
    assert list(first) == ["title", "section_title", "hierarchy", "body", "url"]
    assert first["url"].startswith("https://docs.example.org/guide/install.html")
    assert "<b>Install</b>" in first["title"]
    assert first["hierarchy"][:2] == ["Example Docs", "Guide"]
    assert headers["Content-Type"] == "application/json"


def test_synonyms_and_site_by_url(server):
    _, _, by_syn = server.get_json("/search?q=setup+")
    assert any("install.html" in r["url"] for r in by_syn["results"])
    status, _, by_url = server.get_json("/search?q=install&site=https://docs.example.org/")
    assert status == 200 and by_url["total"] >= 1


def test_missing_q_and_bad_numbers(server):
    status, _, body = server.get_json("/search")
    assert status == 400 and body["error"]["code"] == "missing_parameter"
    for query in ("num=abc", "num=-1", "start=x"):
        status, _, body = server.get_json("/search?q=guide&" + query)
        assert status == 400, query
        assert body["error"]["code"] == "invalid_parameter"
    status, _, body = server.get_json("/search?q=guide&prefix=maybe")
    assert status == 400


SECTIONED_PAGE = """<html><head><title>Dictionaries | Docs</title></head><body><main><h1>Dictionaries</h1>
<p>Mappings from keys to values.</p>
<section id="lookup"><h2>Looking up a key</h2><p>Index with a key to get its value.</p></section>
<section id="views"><h2>Key views</h2><p>The keys view lists every key of the mapping.</p></section>
<section id="merging"><h2>Merging</h2><p>Later values win.</p></section>
</main></body></html>"""


def without_took_ms(raw):
    """The answer without what changes between two identical searches: took_ms and query_id."""
    return re.sub(rb'"query_id":"[0-9a-f]+"', b'"query_id":""', re.sub(rb'"took_ms":[0-9.]+', b'"took_ms":0', raw))


def test_sub_results(server, tmp_path):
    # The default shape is byte for byte the flat one: no key added, 0 is the same as absent.
    _, _, flat = server.request("GET", "/search?q=install")
    _, _, zero = server.request("GET", "/search?q=install&sub_results=0")
    assert b"sub_results" not in flat and without_took_ms(flat) == without_took_ms(zero)
    for bad in ("abc", "-1", ""):
        status, _, body = server.get_json("/search?q=guide&sub_results=" + bad)
        assert status == 400 and body["error"]["code"] == "invalid_parameter", bad
    # The result cache tells the shapes apart: the grouped answer after the flat one is grouped.
    _, _, grouped = server.get_json("/search?q=install&sub_results=2")
    assert all(isinstance(r["sub_results"], list) for r in grouped["results"])
    assert [r["url"] for r in grouped["results"]] == [r["url"] for r in json.loads(flat)["results"]]
    assert grouped["total"] == json.loads(flat)["total"]

    # A page of several sections, on a server of its own.
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "dict.html").write_text(SECTIONED_PAGE)
    s = Server(sites=[{"name": "api", "url": "https://api.example.org/", "directory": str(tmp_path),
                       "title_separators": [" | "]}])
    try:
        status, _, body = s.get_json("/search?q=key+&sub_results=3")
        assert status == 200 and body["total"] == 1 and len(body["results"]) == 1
        result = body["results"][0]
        assert list(result) == ["title", "section_title", "hierarchy", "body", "url", "sub_results"]
        page = "https://api.example.org/api/dict.html"
        subs = result["sub_results"]
        listed = [result["url"]] + [x["url"] for x in subs]
        assert {page + "#lookup", page + "#views"} <= set(listed) and page + "#merging" not in listed
        for x in subs:
            assert list(x) == ["title", "url", "body"]
            assert x["url"].startswith(page + "#")
            assert "<b>" in x["title"].lower() and "<b>key" in x["body"].lower(), x
        _, _, one = s.get_json("/search?q=key+&sub_results=1")
        assert one["results"][0]["sub_results"] == subs[:1]
        _, _, pre = s.get_json("/search?q=key+&sub_results=3&highlight_pre_tag=%5B&highlight_post_tag=%5D")
        assert all("[" in x["title"] for x in pre["results"][0]["sub_results"])
        _, _, api = s.get_json("/openapi.json")
        assert "sub_results" in [p["name"] for p in api["paths"]["/search"]["get"]["parameters"]]
    finally:
        s.stop()


def search(server, q, **params):
    status, _, body = server.get_json("/search?" + urllib.parse.urlencode({"q": q, **params}))
    assert status == 200, body
    return body


def counts(body, facet):
    return {v["value"]: v["count"] for v in body["facets"][facet]["values"]}


def test_filters_and_facets(server):
    # The attributes every index has: type (page or section) and area (the first path segment).
    everything = search(server, "guide", facets="type,area")
    assert list(everything) == ["total", "results", "facets", "took_ms", "query_id"]
    assert list(everything["facets"]) == ["type", "area"]
    total = everything["total"]
    types, areas = counts(everything, "type"), counts(everything, "area")
    # Every result counts once per attribute it has, not only the page returned (num 3); pages at
    # the root (index.html) have no area.
    root = search(server, "guide", filters="NOT area:*")["total"]
    assert total > len(everything["results"]) and sum(types.values()) == total
    assert root >= 1 and sum(areas.values()) == total - root
    assert areas["guide"] >= 2
    # Totals under a filter are exact: the facet counts, the complement, and every result kept.
    guide = search(server, "guide", filters="area:guide", num=5)
    assert guide["total"] == areas["guide"] == len(guide["results"])
    assert all(r["url"].startswith("https://docs.example.org/guide/") for r in guide["results"])
    assert search(server, "guide", filters="NOT area:guide")["total"] == total - areas["guide"]
    assert search(server, "guide", filters="type:page")["total"] == types["page"]
    assert search(server, "guide", filters="area:guide OR type:page")["total"] == total
    both = search(server, "guide", filters="area:guide", facets="area")
    assert counts(both, "area") == {"guide": areas["guide"]}  # facets count under the filter
    # Unasked, no key: the default bytes are what they were; an empty list is not asking.
    _, _, flat = server.request("GET", "/search?q=guide")
    _, _, empty = server.request("GET", "/search?q=guide&facets=&filters=")
    assert b'"facets"' not in flat and without_took_ms(flat) == without_took_ms(empty)
    assert list(search(server, "guide", facets="type,type, area,")["facets"]) == ["type", "area"]

    def refused(**params):
        status, _, body = server.get_json("/search?" + urllib.parse.urlencode({"q": "guide", **params}))
        assert status == 400, (params, body)
        return body["error"]["code"], body["error"]["message"]

    code, message = refused(filters="type:page AND")
    assert code == "invalid_filter" and "position 14" in message, message
    code, message = refused(filters="area:guide OR verison:1")
    assert code == "invalid_filter" and "verison" in message and "position 15" in message, message
    code, message = refused(filters="type:page " + " " * 2048)
    assert code == "invalid_parameter" and message.startswith("filters "), message
    assert search(server, "guide", filters="type:page" + " " * 2039)["total"] == types["page"]  # 2048: searched
    code, message = refused(facets=",".join(f"a{i}" for i in range(17)))
    assert code == "invalid_parameter" and message.startswith("facets ") and "16" in message, message
    assert len(search(server, "guide", facets=",".join(f"a{i}" for i in range(16)))["facets"]) == 16
    for bad in ("Type", "type,ar ea", "x" * 65, "a/b"):
        code, message = refused(facets=bad)
        assert code == "invalid_parameter" and message.startswith("facets: ") and "is not an attribute name" in message, bad

    _, _, api = server.get_json("/openapi.json")
    names = [p["name"] for p in api["paths"]["/search"]["get"]["parameters"]]
    assert "filters" in names and "facets" in names
    schemas = api["components"]["schemas"]
    assert {"facets", "context"} <= set(schemas["SearchResponse"]["properties"]) and "Facet" in schemas


def test_context_of_the_readers_page(tmp_path):
    # context_attributes: a search from a page keeps to that page's values, said in "context";
    # a filter naming the attribute replaces it (name:* widens to every value).
    s = Server(sites=[{"name": "ex", "url": "https://docs.example.org/", "directory": FIXTURE_SITE,
                       "title_separators": [" | "], "context_attributes": ["area"]}])
    try:
        everything = search(s, "guide", facets="area")
        assert "context" not in everything
        reader = "https://docs.example.org/guide/install.html#linux"
        kept = search(s, "guide", from_url=reader, facets="area")
        assert kept["context"] == [{"name": "area", "value": "guide"}]
        assert kept["total"] == counts(everything, "area")["guide"] == counts(kept, "area")["guide"]
        assert list(kept) == ["total", "results", "facets", "context", "took_ms", "query_id"]
        wide = search(s, "guide", from_url=reader, filters="area:*")
        assert "context" not in wide and wide["total"] == sum(counts(everything, "area").values())
        other = search(s, "guide", from_url=reader, filters="type:page", num=5)  # names another: both apply
        assert other["context"] == kept["context"] and 0 < other["total"] <= kept["total"]
        assert all(r["url"].startswith("https://docs.example.org/guide/") for r in other["results"])
    finally:
        s.stop()


def test_unknown_site_names_valid_ones(server):
    status, _, body = server.get_json("/search?q=guide&site=nope")
    assert status == 400
    assert body["error"]["code"] == "unknown_site"
    assert "ex" in body["error"]["message"] and "other" in body["error"]["message"]


def test_num_is_clamped_and_paging(server):
    status, headers, body = server.get_json("/search?q=e&num=1000")
    assert status == 200
    assert headers.get("X-Siteseek-Num-Clamped") == "5"
    _, _, everything = server.get_json("/search?q=guide&num=5")
    _, _, beyond = server.get_json("/search?q=guide&start=1000")
    assert beyond["results"] == [] and beyond["total"] == everything["total"]
    _, _, default = server.get_json("/search?q=e")
    assert len(default["results"]) <= 3  # default_num


def test_long_query_is_414(server):
    status, _, body = server.get_json("/search?q=" + "a" * 300)
    assert status == 414 and body["error"]["code"] == "query_too_long"


def test_suggest_sites_health_metrics_openapi(server):
    status, _, body = server.get_json("/suggest?q=inst")
    assert status == 200
    assert any(s["text"].startswith("inst") for s in body["suggestions"])
    status, _, body = server.get_json("/sites")
    assert status == 200
    names = [s["name"] for s in body["sites"]]
    assert names == ["ex", "other"]
    assert all(s["has_index"] and s["documents"] > 0 for s in body["sites"])
    status, _, body = server.get_json("/health")
    assert status == 200 and body == {"status": "ok"}
    status, headers, raw = server.request("GET", "/metrics")
    text = raw.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert 'siteseek_http_requests_total{route="search",status="200"}' in text
    assert "siteseek_index_documents{site=\"ex\"}" in text
    assert "siteseek_http_request_duration_seconds_bucket" in text
    status, _, body = server.get_json("/openapi.json")
    assert status == 200 and body["openapi"].startswith("3.1")
    assert {"/search", "/indexer", "/jobs/{id}", "/health", "/sites/{name}"} <= set(body["paths"])
    assert {"put", "delete"} <= set(body["paths"]["/sites/{name}"])


def metric(server, name):
    _, _, raw = server.request("GET", "/metrics")
    for line in raw.decode().splitlines():
        if line.startswith(name + " "):
            return int(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


def test_repeated_search_is_answered_from_the_result_cache(server):
    hits, misses = metric(server, "siteseek_result_cache_hits_total"), metric(server, "siteseek_result_cache_misses_total")
    url = "/search?q=install&num=3"
    status, _, first = server.get_json(url)
    status2, _, second = server.get_json(url)
    assert status == status2 == 200 and first["results"]
    assert (first["total"], first["results"]) == (second["total"], second["results"])
    hits2, misses2 = metric(server, "siteseek_result_cache_hits_total"), metric(server, "siteseek_result_cache_misses_total")
    assert hits2 + misses2 == hits + misses + 2  # both looked up; the second one found
    assert hits2 >= hits + 1
    assert metric(server, "siteseek_result_cache_entries") >= 1
    assert metric(server, "siteseek_result_cache_out_of_time_total") == 0  # the default 50 ms budget


def test_unknown_route_and_wrong_method(server):
    status, _, body = server.get_json("/nope")
    assert status == 404 and body["error"]["code"] == "not_found"
    status, headers, raw = server.request("POST", "/search?q=x")
    assert status == 405 and json.loads(raw)["error"]["code"] == "method_not_allowed"
    assert "GET" in headers["Allow"]
    status, _, _ = server.request("GET", "/indexer")
    assert status == 405


def test_admin_auth_and_jobs(server):
    status, _, raw = server.request("POST", "/indexer")
    assert status == 401 and json.loads(raw)["error"]["code"] == "unauthorized"
    status, _, _ = server.request("POST", "/indexer", {"X-API-KEY": "wrong"})
    assert status == 401
    status, _, raw = server.request("POST", "/indexer?site=nope", {"X-API-KEY": API_KEY})
    assert status == 400
    status, _, raw = server.request("POST", "/indexer?site=ex", {"X-API-KEY": API_KEY})
    assert status == 202
    job_id = json.loads(raw)["jobs"][0]
    deadline = time.time() + 20
    while time.time() < deadline:
        status, _, job = server.get_json("/jobs/" + job_id, {"X-API-KEY": API_KEY})
        assert status == 200
        if job["status"] in ("finished", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "finished", job
    assert job["site"] == "ex" and job["report"]["documents"] > 0
    status, _, _ = server.get_json("/jobs/" + job_id)
    assert status == 401
    status, _, body = server.get_json("/jobs/unknown", {"X-API-KEY": API_KEY})
    assert status == 404 and body["error"]["code"] == "not_found"
    status, _, raw = server.request("POST", "/indexer", {"X-API-KEY": API_KEY})
    assert status == 202 and len(json.loads(raw)["jobs"]) == 2


def wait_for_job(server, job_id):
    deadline = time.time() + 20
    while True:
        status, _, job = server.get_json("/jobs/" + job_id, {"X-API-KEY": API_KEY})
        assert status == 200
        if job["status"] in ("finished", "failed") or time.time() > deadline:
            return job
        time.sleep(0.05)


def test_admin_put_and_delete_site():
    s = Server()  # its own server: the shared one keeps its two sites
    key = {"X-API-KEY": API_KEY}
    names = lambda: [x["name"] for x in s.get_json("/sites")[2]["sites"]]  # noqa: E731
    try:
        body = json.dumps({"url": "https://new.example.org/", "directory": FIXTURE_SITE}).encode()
        status, _, _ = s.request("PUT", "/sites/new", {}, body)
        assert status == 401
        status, _, raw = s.request("PUT", "/sites/new", key, body)
        assert status == 202
        answer = json.loads(raw)
        assert answer["site"] == "new"
        job = wait_for_job(s, answer["job"])
        assert job["status"] == "finished" and job["site"] == "new" and job["report"]["documents"] > 0, job
        status, _, found = s.get_json("/search?q=install&site=new")
        assert status == 200 and found["results"][0]["url"].startswith("https://new.example.org/guide/install.html")
        assert names() == ["ex", "other", "new"]

        # Invalid settings: 400 invalid_config naming the key path, and nothing stored.
        bad = json.dumps({"url": "https://bad.example.org/", "crawl": {"max_pages": "many"}}).encode()
        status, _, raw = s.request("PUT", "/sites/bad", key, bad)
        error = json.loads(raw)["error"]
        assert status == 400 and error["code"] == "invalid_config" and "crawl.max_pages" in error["message"]
        status, _, raw = s.request("PUT", "/sites/bad", key, json.dumps({"name": "other", "url": "https://b.org/"}).encode())
        error = json.loads(raw)["error"]
        assert status == 400 and error["code"] == "invalid_config" and error["message"].startswith("invalid configuration: name:")
        status, _, raw = s.request("PUT", "/sites/bad", key, b"{not json")
        assert status == 400 and json.loads(raw)["error"]["code"] == "invalid_config"
        assert names() == ["ex", "other", "new"]

        status, _, _ = s.request("DELETE", "/sites/new")
        assert status == 401
        status, _, raw = s.request("DELETE", "/sites/new", key)
        assert status == 200 and json.loads(raw) == {"removed": "new"}
        assert names() == ["ex", "other"]
        status, _, body = s.get_json("/search?q=install&site=new")
        assert status == 400 and body["error"]["code"] == "unknown_site"
        status, _, raw = s.request("DELETE", "/sites/new", key)
        assert status == 400 and json.loads(raw)["error"]["code"] == "unknown_site"

        status, headers, _ = s.request("GET", "/sites/ex")
        assert status == 405 and headers["Allow"] == "PUT, DELETE, OPTIONS"
        _, _, metrics = s.request("GET", "/metrics")
        assert 'siteseek_http_requests_total{route="site_settings",status="202"} 1' in metrics.decode()
    finally:
        s.stop()


def test_admin_disabled_without_key():
    s = Server(api_key=None)
    try:
        status, _, raw = s.request("POST", "/indexer", {"X-API-KEY": "anything"})
        assert status == 403 and json.loads(raw)["error"]["code"] == "admin_disabled"
    finally:
        s.stop()


def test_cors(server):
    status, headers, _ = server.request("GET", "/search?q=guide", {"Origin": "https://docs.example.org"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://docs.example.org"
    status, headers, _ = server.request("GET", "/search?q=guide", {"Origin": "https://evil.example"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    status, headers, _ = server.request("OPTIONS", "/search", {"Origin": "https://docs.example.org",
                                                              "Access-Control-Request-Method": "GET"})
    assert status == 204
    assert "GET" in headers["Access-Control-Allow-Methods"]
    assert headers["Access-Control-Allow-Origin"] == "https://docs.example.org"
    status, _, _ = server.request("OPTIONS", "/search", {"Origin": "https://evil.example"})
    assert status == 403


def raw_exchange(server, data, read_timeout=5):
    with socket.create_connection(("127.0.0.1", server.port), timeout=read_timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except socket.timeout:
            pass
        return b"".join(chunks)


def test_limits(server):
    reply = raw_exchange(server, b"GET /search?q=x HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 431")
    reply = raw_exchange(server, b"POST /indexer HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n" + b"x" * 1000)
    assert reply.startswith(b"HTTP/1.1 413")
    status, _, raw = server.request("GET", "/search?q=x&pad=" + "a" * 9000)
    assert status == 414
    reply = raw_exchange(server, b"BREW /coffee HTCPCP/1.0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400")


def test_slow_client_is_cut_off(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"GET /search?q=x HTTP/1.1\r\nHost: x\r\n")  # never finishes its headers
        started = time.time()
        assert s.recv(100) == b""  # closed by the server
        assert time.time() - started < 5


def test_connections_cut_by_timeouts_leave_the_server_serving():
    """Idle keep-alive connections and half-sent requests are cut by their timeouts while their
    reads are in flight; every connection after them is still answered (a socket closed under a
    pending operation must not leave anything behind that stalls later connections)."""
    s = Server(extra_args=("--idle-timeout-ms", "300", "--request-timeout-ms", "300"))
    try:
        for _ in range(3):
            idle = [socket.create_connection(("127.0.0.1", s.port), timeout=5) for _ in range(20)]
            for i, c in enumerate(idle):
                c.sendall(b"GET /search?q=x HTTP/1.1\r\nHost: x\r\n" if i % 2 else
                          b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            for c in idle:
                data = b""
                while chunk := c.recv(65536):  # the answer, if any, then the server's close
                    data += chunk
                c.close()
            for _ in range(50):  # fresh connections, each answered within its own timeout
                assert s.request("GET", "/health")[0] == 200
    finally:
        s.stop()


def cpu_seconds(pid):
    """User plus system CPU time a process has used (/proc/PID/stat, fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif("undefined" in os.environ.get("SITESEEK_TEST_SANITIZERS", ""),
                    reason="UBSan's vptr check opens a pipe to test memory; with no descriptor left it "
                           "fails and reports every virtual call as an invalid vptr")
def test_out_of_descriptors_pauses_accepting_then_serves_again():
    """With its descriptor limit reached, the server cannot accept the connections waiting in its
    listen queue. It pauses accepting (instead of retrying at once, a busy loop, as the waiting
    connections keep the listener readable), counts the failures, and serves again once
    descriptors are free."""
    limit = 64

    def low_descriptor_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    s = Server(extra_args=("--threads", "1"), preexec_fn=low_descriptor_limit)
    held = []
    try:
        assert s.request("GET", "/health")[0] == 200
        # More connections than the server has descriptors left: the last ones wait in its queue.
        for _ in range(limit + 16):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            c.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            held.append(c)
        time.sleep(0.5)
        before = cpu_seconds(s.proc.pid)
        time.sleep(2)
        used = cpu_seconds(s.proc.pid) - before
        assert used < 0.5, f"the server used {used:.2f} s of CPU in 2 s while out of descriptors"
        for c in held:
            c.close()
        held.clear()
        deadline = time.time() + 10
        while time.time() < deadline:  # the queued connections are accepted and closed first
            try:
                if s.request("GET", "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not serve again once descriptors were free")
        status, _, body = s.request("GET", "/metrics")
        assert status == 200
        m = re.search(rb"^siteseek_http_accept_errors_total (\d+)$", body, re.M)
        assert m and int(m.group(1)) > 0, body[-600:]
        # Out of descriptors again, a stop still ends the server at once.
        for _ in range(limit + 16):
            held.append(socket.create_connection(("127.0.0.1", s.port), timeout=5))
        time.sleep(0.5)
        started = time.time()
        s.proc.send_signal(15)
        assert s.proc.wait(timeout=10) == 0
        assert time.time() - started < 3
    finally:
        for c in held:
            c.close()
        s.stop()


def test_pipelined_requests(server):
    one = b"GET /search?q=guide HTTP/1.1\r\nHost: x\r\n\r\n"
    last = b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    reply = raw_exchange(server, one + one + last)
    assert reply.count(b"HTTP/1.1 200 OK") == 3


def test_searches_during_reindex(server):
    failures = []
    stop = time.time() + 3

    def searcher():
        while time.time() < stop:
            status, _, body = server.get_json("/search?q=install")
            if status != 200 or body["total"] == 0:
                failures.append((status, body))

    threads = [threading.Thread(target=searcher) for _ in range(4)]
    for t in threads:
        t.start()
    while time.time() < stop:
        server.request("POST", "/indexer?site=ex", {"X-API-KEY": API_KEY})
        time.sleep(0.1)
    for t in threads:
        t.join()
    assert failures == []


def test_graceful_shutdown():
    s = Server()
    try:
        idle = socket.create_connection(("127.0.0.1", s.port))
        assert s.request("GET", "/health")[0] == 200
        started = time.time()
        s.proc.send_signal(15)
        assert s.proc.wait(timeout=10) == 0
        assert time.time() - started < 6
        assert "stopped" in open(s.log_path).read()
        idle.close()
    finally:
        s.stop()


def test_shutdown_under_load():
    """SIGTERM while wrk keeps 20 connections busy: the server exits 0 well before the stop
    deadline (5 s), without a crash or a stall on operations left in flight."""
    s = Server()
    try:
        load = subprocess.Popen(["wrk", "-c", "20", "-t", "2", "-d", "4s", f"http://127.0.0.1:{s.port}/search?q=guide"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.5)
            started = time.time()
            s.proc.send_signal(15)
            code = s.proc.wait(timeout=15)
            took = time.time() - started
        finally:
            load.wait(timeout=15)
        assert code == 0, open(s.log_path).read()[-2000:]
        assert took < 3, f"took {took:.1f} s to stop"
        assert "stopped" in open(s.log_path).read()
    finally:
        s.stop()


def test_hostile_queries_are_read_as_text(server):
    """Invalid UTF-8, control characters, wildcards, unbalanced quotes and parentheses: 200 with
    a well-formed UTF-8 JSON answer (or 400 invalid_query), never a crash."""
    queries = ["%FF%FE%C3%28caf%E9", "%00%01%1F%7Fguide%0D%0A", "*", "a*b*c*", "***", "%22%22%22guide",
               "(" * 60 + "guide", ")" * 60, "%22(" * 40 + "guide", "-", "-*", "guide%20%22unclosed"]
    for q in queries:
        status, headers, raw = server.request("GET", "/search?q=" + q)
        assert status in (200, 400), q
        body = json.loads(raw.decode("utf-8"))  # strict: invalid UTF-8 in the answer fails here
        if status == 400:
            assert body["error"]["code"] == "invalid_query", q
        else:
            assert isinstance(body["results"], list), q
    status, _, raw = server.request("GET", "/search?q=guide%00")
    assert status == 200 and json.loads(raw)["total"] >= 1  # a control character is a separator
    assert server.request("GET", "/health")[0] == 200  # still serving


def test_huge_queries_and_many_terms():
    """A 100 KB query is cut off by the header limit (431) before it reaches the engine; within
    the limits, 2,000 terms and 1,000 wildcards are answered (max_query_length raised to 8000)."""
    s = Server(max_query_length=8000)
    try:
        reply = raw_exchange(s, b"GET /search?q=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 431")
        for q in ("+".join(["guide"] * 1000 + ["t%d" % i for i in range(1000)])[:7900], "+".join(["g*"] * 1000)):
            status, _, raw = s.request("GET", "/search?q=" + q)
            assert status == 200, raw[:200]
            assert isinstance(json.loads(raw)["results"], list)
        status, _, raw = s.request("GET", "/search?q=" + "a" * 8001)
        assert status == 414 and json.loads(raw)["error"]["code"] == "query_too_long"
    finally:
        s.stop()


def test_web_assets_gzip_when_accepted(server):
    # The script and the stylesheet are sent without their comments: they start with code (the
    # stylesheet also without the spaces around its braces and after ':', ';' and ',').
    pages = {"/": b"<!DOCTYPE html>", "/search.html": b"<!DOCTYPE html>", "/widget.js": b"(() => {", "/widget.css": b":host{--_accent:",
             "/analytics.html": b"<!DOCTYPE html>", "/analytics.js": b"(function () {", "/analytics.css": b":root{color-scheme:"}
    for path, start in pages.items():
        status, headers, plain = server.request("GET", path)
        assert status == 200 and plain.startswith(start), path
        assert "Content-Encoding" not in headers and headers["Vary"] == "Accept-Encoding"
        status, headers, packed = server.request("GET", path, {"Accept-Encoding": "br, gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
        assert gzip.decompress(packed) == plain and len(packed) < len(plain), path
    for refused in ("gzip;q=0", "identity", "br, gzip; q=0.000"):
        _, headers, body = server.request("GET", "/widget.js", {"Accept-Encoding": refused})
        assert "Content-Encoding" not in headers and body.startswith(b"(() => {"), refused


def test_the_dashboard_loads_without_a_key_under_its_own_csp(server):
    # The page is open (its data needs the key); it may run only its own script and style, talk to
    # this server only, and not be framed. The other pages keep their inline styles: no CSP there.
    status, headers, body = server.request("GET", "/analytics.html")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                      "frame-ancestors 'none'", "form-action 'none'"):
        assert directive in csp, directive
    assert headers["Referrer-Policy"] == "no-referrer"
    assert b"<script src=\"analytics.js\"" in body and b"<style" not in body and b" style=" not in body
    assert "Content-Security-Policy" not in server.request("GET", "/")[1]


def test_unknown_parameters_are_ignored(server):
    status, _, with_extra = server.get_json("/search?q=guide&frobnicate=1&q2=x&=&&")
    status0, _, plain = server.get_json("/search?q=guide")
    assert status == status0 == 200
    assert [r["url"] for r in with_extra["results"]] == [r["url"] for r in plain["results"]]


def test_path_traversal_finds_no_file(server):
    for target in (b"/../../../../etc/passwd", b"/%2e%2e/%2e%2e/%2e%2e/etc/passwd", b"/widget.js/../../../etc/passwd",
                   b"/..%2f..%2f..%2fetc%2fpasswd", b"//etc/passwd", b"/static/../../etc/passwd",
                   b"/%2e%2e%5c%2e%2e%5cetc%5cpasswd"):
        reply = raw_exchange(server, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 404"), target
        assert b"root:" not in reply and b'"not_found"' in reply, target


def test_pipelined_garbage_after_a_good_request(server):
    good = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    reply = raw_exchange(server, good + b"\x00\x01\x02GARBAGE\r\n\r\n" + good)
    assert reply.startswith(b"HTTP/1.1 200")
    assert reply.count(b"HTTP/1.1 ") == 2  # the garbage gets a 400, then the connection closes
    assert b"HTTP/1.1 400" in reply and b'"bad_request"' in reply


def test_wrong_methods_everywhere(server):
    for method, path, allow in (("DELETE", "/search?q=x", "GET"), ("PUT", "/indexer", "POST"),
                                ("POST", "/health", "GET"), ("PATCH", "/jobs", "GET"), ("POST", "/", "GET")):
        status, headers, raw = server.request(method, path, body=b"" if method != "DELETE" else None)
        assert status == 405, (method, path)
        assert json.loads(raw)["error"]["code"] == "method_not_allowed"
        assert headers["Allow"] == allow + ", OPTIONS"


def test_bad_api_keys(server):
    """Missing, wrong, a prefix of the key, the key and more, another case, the key in the query
    string instead of the header: all 401 (the comparison is constant-time: router.cpp)."""
    for headers, path in (({}, "/indexer"), ({"X-API-KEY": ""}, "/indexer"), ({"X-API-KEY": API_KEY[:-1]}, "/indexer"),
                          ({"X-API-KEY": API_KEY + "x"}, "/indexer"), ({"X-API-KEY": API_KEY.upper()}, "/indexer"),
                          ({}, "/indexer?api_key=" + API_KEY), ({"Authorization": "Bearer " + API_KEY}, "/indexer")):
        status, _, raw = server.request("POST", path, headers, body=b"")
        assert status == 401, (headers, path)
        assert json.loads(raw)["error"]["code"] == "unauthorized"
    assert server.request("GET", "/jobs", {"X-API-KEY": API_KEY[:-1]})[0] == 401


def test_request_bytes_quoted_back_stay_valid_json(server):
    """Invalid UTF-8 in what a reply quotes (an Origin, a path, a parameter, the highlight tags)
    becomes U+FFFD: the JSON stays parseable. Found by fuzz_http (corpus/http/regress-*)."""
    reply = raw_exchange(server, b"OPTIONS /search HTTP/1.1\r\nHost: x\r\nOrigin: https://docs.example.o\x8e\x98\xf2\xf5\r\n"
                                 b"Connection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 403")
    body = json.loads(reply.split(b"\r\n\r\n", 1)[1].decode("utf-8"))
    assert body["error"]["code"] == "origin_not_allowed" and "\ufffd" in body["error"]["message"]
    for path in ("/nope%FF%C3%28", "/search?q=guide&num=%FF", "/search?q=guide&site=%E9t%E9"):
        status, _, raw = server.request("GET", path)
        assert status in (400, 404), path
        assert "\ufffd" in json.loads(raw.decode("utf-8"))["error"]["message"], path
    status, _, raw = server.request("GET", "/search?q=guide&highlight_pre_tag=%FF%3Cb%3E&highlight_post_tag=%E9")
    assert status == 200
    body = json.loads(raw.decode("utf-8"))
    assert any("\ufffd<b>" in r["title"] + r["body"] for r in body["results"])


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the seccomp filter is written for x86-64")
def test_kernel_refusing_io_uring():
    """Where the kernel refuses io_uring (a container's seccomp profile, the io_uring_disabled
    sysctl), an io_uring build stops with an error that says so and names the fix; an epoll build
    does not use io_uring and serves."""
    probe = Server()
    backend = re.search(r"/ with (io_uring|epoll) \(", open(probe.log_path).read()).group(1)
    probe.stop()
    if backend == "epoll":
        s = Server(preexec_fn=refuse_io_uring)
        assert s.get_json("/search?q=install")[0] == 200
        s.stop()
        return
    with pytest.raises(RuntimeError) as e:
        Server(preexec_fn=refuse_io_uring)
    message = str(e.value)
    assert "siteseek serve exited" in message
    assert "kernel refused it (Operation not permitted)" in message
    assert "-DSITESEEK_IO_URING=OFF" in message


# --- keys and scoped tokens (docs/security.md) -------------------------------------------------

def docs_token_example():
    """The stand-alone Python example of docs/security.md, run as written (KEY is its input)."""
    doc = open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "security.md")).read()
    code = re.search(r"```python\n(.*?)```", doc, re.S).group(1)
    namespace = {"KEY": "ssk_0000000000000000_unused"}
    exec(code, namespace)  # defines scoped_token (and a sample token from the dummy key)
    return namespace["scoped_token"]


def docs_js_token(key, **options):
    """The JavaScript example of docs/security.md (its function, as written) run by Node."""
    doc = open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "security.md")).read()
    code = re.search(r"```js\n(.*?)```", doc, re.S).group(1)
    code = code[:code.index("const token")]
    call = f"console.log(scopedToken({json.dumps(key)}, {json.dumps(options)}));"
    return subprocess.run(["node", "-e", code + call], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def keyed():
    """ex is open, other needs a key (search_access = "key")."""
    s = Server(sites=[
        {"name": "ex", "url": "https://docs.example.org/", "directory": FIXTURE_SITE, "title_separators": [" | "]},
        {"name": "other", "url": "https://other.example.org/", "directory": FIXTURE_SITE, "search_access": "key"}])
    yield s
    s.stop()


def make_key(server, **spec):
    status, _, raw = server.request("POST", "/keys", {"X-API-KEY": API_KEY}, json.dumps(spec).encode())
    assert status == 201, raw
    return json.loads(raw)


def error_of(server, method, path, key=None):
    status, _, raw = server.request(method, path, {"X-API-KEY": key} if key else {}, body=b"" if method == "POST" else None)
    return status, (json.loads(raw)["error"]["code"] if status >= 400 else None)


def test_keys_limit_actions_and_sites(keyed):
    search_ex = make_key(keyed, description="ex search", actions=["search"], sites=["ex"])["key"]
    assert error_of(keyed, "POST", "/indexer?site=ex", search_ex) == (403, "forbidden")
    assert error_of(keyed, "GET", "/jobs", search_ex) == (403, "forbidden")
    assert error_of(keyed, "GET", "/search?q=install&site=ex", search_ex) == (200, None)
    assert error_of(keyed, "GET", "/search?q=install&site=other", search_ex) == (403, "forbidden")
    assert error_of(keyed, "GET", "/search?q=install&site=ex,other", search_ex) == (403, "forbidden")
    # A key-required site: 401 without a key, 200 with one for it; the open site needs none.
    assert error_of(keyed, "GET", "/search?q=install&site=other") == (401, "unauthorized")
    assert error_of(keyed, "GET", "/suggest?q=ins&site=other") == (401, "unauthorized")
    assert error_of(keyed, "GET", "/search?q=install&site=ex") == (200, None)
    search_other = make_key(keyed, actions=["search"], sites=["other"])["key"]
    assert error_of(keyed, "GET", "/search?q=install&site=other", search_other) == (200, None)
    assert error_of(keyed, "GET", "/suggest?q=ins&site=other", search_other) == (403, "forbidden")
    # An indexer key queues a reindex; the bootstrap api_key still does everything.
    indexer = make_key(keyed, actions=["indexer"], sites=["ex"])["key"]
    assert error_of(keyed, "POST", "/indexer?site=ex", indexer) == (202, None)
    assert error_of(keyed, "POST", "/indexer", indexer) == (403, "forbidden")  # every site: other too
    assert error_of(keyed, "GET", "/search?q=install&site=other", API_KEY) == (200, None)
    # Bad key specs are 400 naming the field.
    status, _, raw = keyed.request("POST", "/keys", {"X-API-KEY": API_KEY}, b'{"actions": ["search", "statistics"]}')
    assert status == 400 and "actions[1]" in json.loads(raw)["error"]["message"]
    status, _, raw = keyed.request("POST", "/keys", {"X-API-KEY": search_ex}, b'{"actions": ["search"]}')
    assert status == 403


def test_revoked_and_expired_keys_are_refused(keyed):
    made = make_key(keyed, actions=["search"], sites=["other"])
    assert error_of(keyed, "GET", "/search?q=install&site=other", made["key"]) == (200, None)
    assert error_of(keyed, "DELETE", "/keys/" + made["id"], API_KEY) == (200, None)
    assert error_of(keyed, "GET", "/search?q=install&site=other", made["key"]) == (401, "unauthorized")
    assert error_of(keyed, "DELETE", "/keys/" + made["id"], API_KEY) == (404, "not_found")
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
    expiring = make_key(keyed, actions=["search"], expires_at=soon)["key"]
    assert error_of(keyed, "GET", "/search?q=install&site=other", expiring) == (200, None)
    time.sleep(3)
    assert error_of(keyed, "GET", "/search?q=install&site=other", expiring) == (401, "key_expired")
    past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
    status, _, _ = keyed.request("POST", "/keys", {"X-API-KEY": API_KEY}, json.dumps({"actions": ["search"], "expires_at": past}).encode())
    assert status == 400


def test_the_key_list_never_shows_a_secret(keyed):
    made = make_key(keyed, description="listed", actions=["search", "suggest"])
    secret = made["key"].split("_", 2)[2]
    status, _, raw = keyed.request("GET", "/keys", {"X-API-KEY": API_KEY})
    assert status == 200 and secret.encode() not in raw and made["key"].encode() not in raw
    listed = [k for k in json.loads(raw)["keys"] if k["id"] == made["id"]]
    assert listed and listed[0]["key"] == "ssk_" + made["id"] + "_…" and listed[0]["actions"] == ["search", "suggest"]
    assert error_of(keyed, "GET", "/keys") == (401, "unauthorized")
    log = open(keyed.log_path).read()
    assert secret not in log
    audit = [json.loads(line) for line in log.splitlines() if line.startswith('{"audit"')]
    assert {"audit": "key_created", "key": "bootstrap", "target": made["id"]}.items() <= \
        next(a for a in audit if a["target"] == made["id"]).items()


def test_scoped_tokens(keyed):
    parent = make_key(keyed, actions=["search"], sites=["ex", "other"])["key"]
    scoped_token = docs_token_example()
    _, _, unfiltered = keyed.get_json("/search?q=guide&site=other&num=5", {"X-API-KEY": parent})
    assert unfiltered["total"] > 1
    token = scoped_token(parent, filters="area:guide", sites=["other"], max_num=1, expires_at=int(time.time()) + 600)
    status, headers, body = keyed.get_json("/search?q=guide&site=other&num=5", {"X-API-KEY": token})
    assert status == 200, body
    assert len(body["results"]) == 1 and body["total"] < unfiltered["total"]
    # The docs' JavaScript example mints a token the server takes the same way (Node is installed
    # by scripts/setup for the browser tests).
    js = docs_js_token(parent, filters="area:guide", sites=["other"], maxNum=1, expiresAt=int(time.time()) + 600)
    status, _, from_js = keyed.get_json("/search?q=guide&site=other&num=5", {"X-API-KEY": js})
    assert status == 200 and from_js["total"] == body["total"] and len(from_js["results"]) == 1, from_js
    # The caller narrows, never widens: an OR cannot escape the token's filter.
    _, _, widened = keyed.get_json("/search?q=guide&site=other&" + urllib.parse.urlencode(
        {"filters": "area:guide OR type:page"}), {"X-API-KEY": token})
    assert widened["total"] == body["total"]
    assert error_of(keyed, "GET", "/search?q=guide&site=other&filters=" + urllib.parse.quote("area:guide) OR (type:page"),
                    token) == (400, "invalid_filter")
    assert error_of(keyed, "GET", "/search?q=guide&site=ex", token) == (403, "forbidden")  # not in the token's sites
    # A changed parameter, a token signed with another key naming this one, an expired token.
    payload, signature = token[len("sst1."):].split(".")
    params = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    params["filters"] = "area:guide OR type:page"
    tampered = "sst1." + base64.urlsafe_b64encode(json.dumps(params).encode()).rstrip(b"=").decode() + "." + signature
    assert error_of(keyed, "GET", "/search?q=guide&site=other", tampered) == (401, "unauthorized")
    other = make_key(keyed, actions=["search"])["key"]
    forged = scoped_token("ssk_" + parent.split("_")[1] + "_" + other.split("_", 2)[2], sites=["other"])
    assert error_of(keyed, "GET", "/search?q=guide&site=other", forged) == (401, "unauthorized")
    expired = scoped_token(parent, expires_at=int(time.time()) - 1)
    assert error_of(keyed, "GET", "/search?q=guide&site=other", expired) == (401, "key_expired")
    assert error_of(keyed, "GET", "/search?q=guide&site=other&key=" + token) == (401, "unauthorized")  # no query-string keys


def limited_server(**config):
    """A server with small budgets; 127.0.0.1 (the test) is a trusted proxy unless told otherwise."""
    settings = {"rate_limits": {"search": {"per_second": 1, "burst": 5}, "admin": {"per_second": 1, "burst": 2},
                                "per_key": {"per_second": 1, "burst": 3}},
                "trusted_proxies": ["127.0.0.1"]}
    settings.update(config)
    return Server(**settings)


def rate_limited(server, budget):
    _, _, raw = server.request("GET", "/metrics")
    for line in raw.decode().splitlines():
        if line.startswith(f'siteseek_rate_limited_total{{budget="{budget}"}} '):
            return int(line.split()[1])
    raise AssertionError(f"no siteseek_rate_limited_total for {budget}")


def test_a_flooded_address_gets_429_and_others_are_served():
    s = limited_server()
    try:
        flooder = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7", "Origin": "https://docs.example.org"}
        statuses = [s.request("GET", "/search?q=install", flooder)[0] for _ in range(5)]
        assert statuses == [200] * 5
        status, headers, raw = s.request("GET", "/suggest?q=ins", flooder)  # one budget for both routes
        assert status == 429
        body = json.loads(raw)
        assert body["error"]["code"] == "rate_limited"
        assert "search" in body["error"]["message"] and "retry in 1 s" in body["error"]["message"], body
        assert headers["Retry-After"] == "1" and headers["Content-Type"] == "application/json"
        assert headers["Access-Control-Allow-Origin"] == "https://docs.example.org"
        assert "Retry-After" in headers["Access-Control-Expose-Headers"]
        # Another address (the left of the list is the client's own say, not believed) is served.
        assert s.request("GET", "/search?q=install", {"X-Forwarded-For": "203.0.113.8"})[0] == 200
        assert s.request("GET", "/search?q=install", {"X-Forwarded-For": "203.0.113.7, 203.0.113.9"})[0] == 200
        # Unlimited routes stay open to the flooded address.
        assert s.request("GET", "/health", flooder)[0] == 200
        assert s.request("GET", "/widget.js", flooder)[0] == 200
        time.sleep(int(headers["Retry-After"]))
        assert s.request("GET", "/search?q=install", flooder)[0] == 200

        # Admin routes: their own budget, charged before the key is checked (guesses are limited).
        guesser = {"X-Forwarded-For": "203.0.113.20"}
        assert [s.request("POST", "/indexer", guesser, body=b"")[0] for _ in range(2)] == [401, 401]
        status, headers, raw = s.request("POST", "/indexer", guesser, body=b"")
        assert status == 429 and int(headers["Retry-After"]) >= 1
        assert "admin" in json.loads(raw)["error"]["message"]
        assert s.request("GET", "/search?q=install", guesser)[0] == 200  # the search budget is apart

        # A key's budget spans addresses; another key (here a wrong one: 401) has its own.
        keyed = [s.request("GET", "/search?q=install", {"X-Forwarded-For": f"192.0.2.{i}", "X-API-KEY": API_KEY})[0]
                 for i in range(4)]
        assert keyed == [200, 200, 200, 429]
        assert s.request("GET", "/search?q=install", {"X-Forwarded-For": "192.0.2.9", "X-API-KEY": "k2"})[0] == 401

        assert rate_limited(s, "search") == 1 and rate_limited(s, "admin") == 1 and rate_limited(s, "key") == 1
        _, _, raw = s.request("GET", "/metrics")
        assert 'siteseek_http_requests_total{route="suggest",status="429"} 1' in raw.decode()
        assert "siteseek_rate_limit_slots 65536" in raw.decode()
    finally:
        s.stop()


def test_forwarding_headers_are_believed_from_trusted_proxies_only():
    # 127.0.0.1 not trusted: every X-Forwarded-For is ignored, all requests are the peer's.
    s = limited_server(trusted_proxies=[])
    try:
        statuses = [s.request("GET", "/search?q=install", {"X-Forwarded-For": f"203.0.113.{i}"})[0] for i in range(6)]
        assert statuses == [200] * 5 + [429]
    finally:
        s.stop()
    # Forwarded (RFC 7239) when configured; an IPv6 client is one bucket per /64.
    s = limited_server(trusted_proxy_header="forwarded")
    try:
        for i in range(5):
            assert s.request("GET", "/search?q=install", {"Forwarded": f'for="[2001:db8:0:1::{i}]:4711";proto=https'})[0] == 200
        assert s.request("GET", "/search?q=install", {"Forwarded": 'for="[2001:db8:0:1::99]"'})[0] == 429
        assert s.request("GET", "/search?q=install", {"Forwarded": 'for="[2001:db8:0:2::1]"'})[0] == 200
        # X-Forwarded-For is not the configured header: the request is the proxy's own.
        assert s.request("GET", "/search?q=install", {"X-Forwarded-For": "2001:db8:0:1::5"})[0] == 200
    finally:
        s.stop()


def pipelined(port, requests, batch=2000):
    """Send the requests pipelined on one connection, in batches; the statuses of the answers."""
    statuses = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        buffer = b""
        for start in range(0, len(requests), batch):
            chunk = requests[start:start + batch]
            sock.sendall(b"".join(chunk))
            answered = 0
            while answered < len(chunk):
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    buffer += sock.recv(1 << 20)
                    continue
                head = buffer[:end].decode("latin-1")
                length = int(re.search(r"(?im)^content-length: *(\d+)", head).group(1))
                if len(buffer) < end + 4 + length:
                    buffer += sock.recv(1 << 20)
                    continue
                statuses.append(int(head.split(" ", 2)[1]))
                buffer = buffer[end + 4 + length:]
                answered += 1
    return statuses


def sanitized(pid):
    """Whether the server runs with AddressSanitizer (the ASan stage of scripts/test)."""
    with open(f"/proc/{pid}/maps") as f:
        return "libasan" in f.read()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


def test_an_address_flood_leaves_memory_flat():
    """120,000 distinct client addresses (60,000 IPv4, 60,000 IPv6 /64s) through one trusted
    connection. The table is fixed (65,536 slots of 16 bytes, allocated at start), so RSS stays
    flat; a table that kept every address, even at 16 bytes each, would add 1.9 MB, and a hash
    map of them several times that. The bound, 1 MiB, leaves room for allocator noise."""
    # Analytics off: its own memory (the event queue and the query-id table) is bounded by their
    # capacities, tested in tests/unit/analytics; this measures the rate limiter's table alone.
    s = limited_server(threads=1, analytics={"enabled": False})
    try:
        def requests(first, count):
            out = []
            for i in range(first, first + count):
                client = f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}" if i % 2 else f"2001:db8:{i >> 16:x}:{i & 0xffff:x}::1"
                out.append(f"GET /suggest?q=g HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: {client}\r\n\r\n".encode())
            return out
        # Warm-up: the connection's buffers and the allocator's arenas reach their working size.
        assert set(pipelined(s.port, requests(0, 10_000))) == {200}
        before = rss_kib(s.proc.pid)
        started = time.time()
        statuses = pipelined(s.port, requests(10_000, 120_000))
        took = time.time() - started
        after = rss_kib(s.proc.pid)
        print(f"address flood: 120000 addresses in {took:.1f} s; VmRSS {before} kB -> {after} kB ({after - before:+d} kB)")
        assert statuses.count(200) == 120_000
        _, _, raw = s.request("GET", "/metrics")
        used = int(re.search(r"siteseek_rate_limit_slots_used (\d+)", raw.decode()).group(1))
        assert 0 < used <= 65536
        if sanitized(s.proc.pid):
            pytest.skip("AddressSanitizer holds freed memory in its quarantine: RSS says nothing of the table here")
        assert after - before < 1024, (before, after)
    finally:
        s.stop()


# --- curation rules (docs/curation.md) -----------------------------------------------------------

def result_urls(server, q, **params):
    return [r["url"] for r in search(server, q, **params)["results"]]


def test_curation_rules_over_http(tmp_path):
    """12. curation rules: added, listed and removed with a key holding `curation` (403 without
    it, 401 without a key), in force in the next search with no reindex, shown by explain=true,
    and seen by a second server on the same data_dir within the keys' polling bound, and by a
    restart."""
    data = str(tmp_path / "data")
    s = Server(data_dir=data)
    second = None
    try:
        admin = {"X-API-KEY": API_KEY}
        curator = {"X-API-KEY": make_key(s, actions=["curation"], sites=["ex"])["key"]}
        searcher = {"X-API-KEY": make_key(s, actions=["search"])["key"]}
        pin = {"kind": "pin", "query": "install", "urls": ["/guide/draft.html", "https://docs.example.org/index.html"], "note": "from the report"}
        body = json.dumps(pin).encode()
        assert s.request("POST", "/sites/ex/rules", {}, body)[0] == 401
        assert s.request("POST", "/sites/ex/rules", searcher, body)[0] == 403
        assert s.request("POST", "/sites/other/rules", curator, body)[0] == 403  # not its site
        assert s.request("GET", "/sites/ex/rules", searcher)[0] == 403

        before = result_urls(s, "install", num=5)
        status, _, raw = s.request("POST", "/sites/ex/rules", curator, body)
        assert status == 201, raw
        added = json.loads(raw)
        assert added["id"] and added["kind"] == "pin" and added["created"].endswith("Z")
        after = result_urls(s, "install", num=5)
        assert after[:2] == ["https://docs.example.org/guide/draft.html", "https://docs.example.org/index.html"], (before, after)

        explained = search(s, "install", explain="true")
        assert explained["explain"]["query"] == "install"
        assert explained["explain"]["optional_words"] == []
        assert explained["explain"]["related"] == []
        assert [(r["id"], r["kind"]) for r in explained["explain"]["rules"]] == [(added["id"], "pin")]
        assert explained["results"][0]["rules"][0]["id"] == added["id"]
        assert "explain" not in search(s, "install")

        # A one-way synonym: "configure" finds the install page only through the rule.
        assert "https://docs.example.org/guide/install.html" not in result_urls(s, "zzsetupword")
        status, _, raw = s.request("POST", "/sites/ex/rules", curator,
                                   json.dumps({"kind": "one_way", "from": "zzsetupword", "to": ["install"]}).encode())
        assert status == 201, raw
        one_way = json.loads(raw)["id"]
        assert any("install.html" in u for u in result_urls(s, "zzsetupword"))

        # Validation names the field; an unknown site and rule are errors too.
        status, _, raw = s.request("POST", "/sites/ex/rules", curator, json.dumps({"kind": "pin", "query": "x", "urls": ["ftp://x"]}).encode())
        error = json.loads(raw)["error"]
        assert status == 400 and error["code"] == "invalid_config" and "rule.urls[0]" in error["message"]
        assert s.request("DELETE", "/sites/ex/rules/nope", curator)[0] == 404

        status, _, listed = s.get_json("/sites/ex/rules", curator)
        assert status == 200 and [r["id"] for r in listed["rules"]] == [added["id"], one_way]
        assert listed["rules"][0]["note"] == "from the report"

        # A second server on the same data_dir follows within about a second.
        second = Server(data_dir=data)
        deadline = time.time() + 5
        while time.time() < deadline and result_urls(second, "install", num=5)[:1] != ["https://docs.example.org/guide/draft.html"]:
            time.sleep(0.1)
        assert result_urls(second, "install", num=5)[:1] == ["https://docs.example.org/guide/draft.html"]
        status, _, raw = s.request("DELETE", "/sites/ex/rules/" + added["id"], curator)
        assert status == 200 and json.loads(raw) == {"removed": added["id"]}
        assert result_urls(s, "install", num=5) == before
        deadline = time.time() + 5
        while time.time() < deadline and result_urls(second, "install", num=5) != before:
            time.sleep(0.1)
        assert result_urls(second, "install", num=5) == before

        # PUT replaces them all; a site named "x/rules" cannot exist, and /sites/ex stays the site's route.
        status, _, raw = s.request("PUT", "/sites/ex/rules", admin,
                                   json.dumps({"rules": [{"kind": "hide", "query": "install", "url": "/guide/install.html"}]}).encode())
        assert status == 200, raw
        assert [r["kind"] for r in json.loads(raw)["rules"]] == ["hide"]
        log = open(s.log_path).read()
        assert '"audit":"rule_added"' in log and '"audit":"rules_replaced"' in log, log[-2000:]
        assert not any("install.html" in u for u in result_urls(s, "install"))
        status, headers, _ = s.request("PATCH", "/sites/ex/rules", admin)
        assert status == 405 and headers["Allow"] == "GET, POST, PUT, DELETE, OPTIONS"
        _, _, metrics = s.request("GET", "/metrics")
        assert 'siteseek_http_requests_total{route="rules",status="200"}' in metrics.decode()
        second.stop()
        second = None
        s.stop()
        # A restart keeps them.
        s = Server(data_dir=data)
        assert not any("install.html" in u for u in result_urls(s, "install"))
    finally:
        if second:
            second.stop()
        s.stop()


# 13. analytics (docs/analytics.md): a search returns a query_id; a click beacon naming it is
#     accepted (204, text/plain or JSON) and one with an unknown id, a bad position or an oversized
#     body is refused 4xx and not stored; GET /analytics needs a key with the analytics action and
#     reports the searches and clicks made here; no address or user agent reaches the files.
def test_analytics_query_ids_clicks_and_reports():
    s = Server()
    try:
        session = "test-session-0001"
        ua = {"User-Agent": "AnalyticsProbe/9.9"}
        status, _, body = s.get_json("/search?q=Guide%20&session=" + session, ua)
        assert status == 200 and body["total"] >= 2, body
        qid = body["query_id"]
        assert re.fullmatch(r"[0-9a-f]{16}", qid)
        # The same query folded and trimmed is one query in the report.
        _, _, again = s.get_json("/search?q=guide&session=other-session-1", ua)
        _, _, none = s.get_json("/search?q=zzzqqqxx&session=" + session, ua)
        assert none["total"] == 0 and "query_id" in none
        s.get_json("/suggest?q=inst", ua)

        def beacon(payload, content_type="text/plain;charset=UTF-8"):
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            return s.request("POST", "/analytics/click", {"Content-Type": content_type, **ua}, data)[0]

        assert beacon({"query_id": qid, "position": 1, "url": "https://docs.example.org/guide.html"}) == 204
        assert beacon({"query_id": again["query_id"], "position": 2, "url": "https://docs.example.org/a.html"},
                      "application/json") == 204
        assert beacon({"query_id": "0123456789abcdef", "position": 1, "url": "https://x/forged"}) == 400
        assert beacon({"query_id": qid, "position": 999, "url": "https://x/far"}) == 400
        assert beacon({"query_id": qid, "position": 0, "url": "https://x/zero"}) == 400
        # Only a page of a site this server searches: not another host, not javascript: (the
        # reports show clicked URLs to a docs team).
        assert beacon({"query_id": qid, "position": 1, "url": "https://spam.example.net/buy.html"}) == 400
        assert beacon({"query_id": qid, "position": 1, "url": "https://docs.example.org.evil.net/a.html"}) == 400
        assert beacon({"query_id": qid, "position": 1, "url": "https://docs.example.org@evil.net/a.html"}) == 400
        assert beacon({"query_id": qid, "position": 1, "url": "javascript:alert(1)"}) == 400
        assert beacon(b'{"query_id": "' + qid.encode() + b'", "position": 1, "url": "' + b"x" * 5000 + b'"}') == 413
        assert beacon(b"not json") == 400
        assert beacon({"query_id": qid, "position": 1, "url": "https://x/y"}, "application/x-www-form-urlencoded") == 400

        assert s.request("GET", "/analytics", {})[0] == 401
        search_only = make_key(s, description="search", actions=["search"])["key"]
        assert s.request("GET", "/analytics", {"X-API-KEY": search_only})[0] == 403
        reader = make_key(s, description="analytics", actions=["analytics"], sites=["ex"])["key"]
        assert s.request("GET", "/analytics?site=other", {"X-API-KEY": reader})[0] == 403
        assert s.request("GET", "/analytics", {"X-API-KEY": reader})[0] == 403  # every site: not its scope
        status, _, report = s.get_json("/analytics?site=ex", {"X-API-KEY": reader})
        assert status == 200, report
        assert report["site"] == "ex"
        assert report["searches"] == 3 and report["suggests"] == 1 and report["clicks"] == 2
        top = {q["query"]: q for q in report["top_queries"]}
        assert top["guide"]["searches"] == 2 and top["guide"]["clicked_searches"] == 2
        assert top["guide"]["ctr"] == 1.0 and top["guide"]["mean_position"] == 1.5
        assert [q["query"] for q in report["zero_results"]] == ["zzzqqqxx"]
        assert report["days"][-1]["searches"] == 3
        status, _, bad = s.get_json("/analytics?from=2026-02-30", {"X-API-KEY": API_KEY})
        assert status == 400 and bad["error"]["code"] == "invalid_parameter"

        files = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(s.tmp.name, "data", "analytics")) for f in fs]
        assert files
        data = b"".join(open(f, "rb").read() for f in files)
        for secret in (b"127.0.0.1", b"AnalyticsProbe", b"forged", b"https://x/", API_KEY.encode(), b"ssk_"):
            assert secret not in data
        assert b"guide" in data and session.encode() in data
        metrics = s.request("GET", "/metrics")[2].decode()
        assert 'siteseek_analytics_events_total{outcome="recorded"} 6' in metrics  # 3 searches, 1 suggest, 2 clicks
        assert 'siteseek_analytics_events_total{outcome="written"} 6' in metrics
    finally:
        s.stop()


# 13b. suggested fixes (docs/analytics.md#suggested-fixes): two sessions search a query that finds
#      nothing, rephrase it and click a result; the report proposes a one_way rule, which is not
#      applied until its "rule" is POSTed as is; then the first query finds the clicked page, and
#      the report no longer proposes it.
def test_analytics_proposal_accepted_with_one_post(tmp_path):
    s = Server(data_dir=str(tmp_path / "data"))
    try:
        q, r = "zzerasefolder", "install"
        clicked = None
        for session in ("proposal-session-1", "proposal-session-2"):
            status, _, none = s.get_json("/search?" + urllib.parse.urlencode({"q": q, "session": session}))
            assert status == 200 and none["total"] == 0
            _, _, found = s.get_json("/search?" + urllib.parse.urlencode({"q": r, "session": session}))
            assert found["total"] > 0
            clicked = found["results"][0]["url"]
            beacon = {"query_id": found["query_id"], "position": 1, "url": clicked}
            assert s.request("POST", "/analytics/click", {"Content-Type": "text/plain"}, json.dumps(beacon).encode())[0] == 204
        reader = {"X-API-KEY": make_key(s, actions=["analytics"], sites=["ex"])["key"]}
        status, _, report = s.get_json("/analytics?site=ex", reader)
        assert status == 200, report
        proposals = [p for p in report["proposals"] if p["kind"] == "one_way"]
        assert len(proposals) == 1, report["proposals"]
        p = proposals[0]
        assert p["site"] == "ex"
        assert {k: v for k, v in p["rule"].items() if k != "note"} == {"kind": "one_way", "from": q, "to": [r]}
        assert p["rule"]["note"].startswith("proposed from analytics " + report["from"] + ".." + report["to"] + ": 2 sessions")
        assert p["evidence"] == {"sessions": 2, "searches": 2, "clicked_searches": 0, "results": 0,
                                 "status": "zero_results", "clicks_after": 2}
        assert q in p["reason"] and r in p["reason"]
        # Nothing is applied by the report.
        assert search(s, q)["total"] == 0

        curator = {"X-API-KEY": make_key(s, actions=["curation"], sites=["ex"])["key"]}
        status, _, raw = s.request("POST", "/sites/" + p["site"] + "/rules", curator, json.dumps(p["rule"]).encode())
        assert status == 201, raw
        assert json.loads(raw)["note"] == p["rule"]["note"]
        assert clicked in result_urls(s, q)
        _, _, again = s.get_json("/analytics?site=ex", reader)
        assert not [p for p in again["proposals"] if p["kind"] == "one_way"], again["proposals"]
        _, _, everything = s.get_json("/analytics", {"X-API-KEY": API_KEY})
        assert all(p["site"] for p in everything["proposals"])
    finally:
        s.stop()


def test_analytics_off_gives_no_query_id():
    s = Server(analytics={"enabled": False})
    try:
        _, _, body = s.get_json("/search?q=install")
        assert "query_id" not in body
        status, _, _ = s.request("POST", "/analytics/click", {"Content-Type": "text/plain"},
                                 json.dumps({"query_id": "0123456789abcdef", "position": 1,
                                             "url": "https://docs.example.org/a.html"}).encode())
        assert status == 404
        assert not os.path.exists(os.path.join(s.tmp.name, "data", "analytics"))
    finally:
        s.stop()


def test_live_updates_over_http(tmp_path):
    """14. live updates: upserts and deletes by page URL, searchable when answered and kept."""
    data = tmp_path / "data"
    s = Server(data_dir=str(data))
    try:
        indexer = {"X-API-KEY": make_key(s, actions=["indexer"], sites=["ex"])["key"]}
        searcher = {"X-API-KEY": make_key(s, actions=["search"])["key"]}
        page = "https://docs.example.org/guide/install.html"
        upsert = json.dumps({"documents": [
            {"url": page, "title": "Installing", "body": "Unpack the quokkaball and run it."},
            {"url": page + "#offline", "title": "Installing", "section_title": "Offline", "type": "section",
             "body": "Copy the wheelhouse first.", "attributes": {"version": ["3.12"]}},
        ]}).encode()
        assert s.request("POST", "/sites/ex/documents", {}, upsert)[0] == 401
        assert s.request("POST", "/sites/ex/documents", searcher, upsert)[0] == 403
        assert s.request("POST", "/sites/other/documents", indexer, upsert)[0] == 403  # not its site
        before = search(s, "install")["total"]
        assert before > 0 and search(s, "quokkaball")["total"] == 0
        status, _, raw = s.request("POST", "/sites/ex/documents", indexer, upsert)
        assert status == 200, raw
        answer = json.loads(raw)
        assert answer["site"] == "ex" and answer["added"] == 2 and answer["removed"] >= 1 and answer["segments"] == 2, answer
        assert result_urls(s, "quokkaball") == [page]  # searchable when answered
        assert result_urls(s, "wheelhouse") == [page + "#offline"]
        assert search(s, "wheelhouse", filters="version:3.12")["total"] == 1
        assert (data / "ex.segments").exists()

        # Bad bodies are 400s naming the problem, and change nothing.
        for body, code, words in [
            (b"{", "bad_request", "not JSON"),
            (json.dumps({"docs": []}).encode(), "bad_request", "documents"),
            (json.dumps({"documents": [{"title": "no url"}]}).encode(), "invalid_document", "documents[0].url is required"),
            (json.dumps({"documents": [{"url": page, "title": 3}]}).encode(), "invalid_document", "documents[0].title must be a string"),
            (json.dumps({"documents": [{"url": page, "hierarchy": ["A", 1]}]}).encode(), "invalid_document", "documents[0].hierarchy[1]"),
            (json.dumps({"documents": [{"url": page, "colour": "red"}]}).encode(), "invalid_document", "documents[0].colour is not a document key"),
            (json.dumps({"documents": [{"url": page, "attributes": {"Bad Name": "x"}}]}).encode(), "invalid_document", "documents[0].attributes"),
        ]:
            status, _, raw = s.request("POST", "/sites/ex/documents", indexer, body)
            error = json.loads(raw)["error"]
            assert status == 400 and error["code"] == code and words in error["message"], (body, raw)
        assert result_urls(s, "quokkaball") == [page]
        status, _, raw = s.request("POST", "/sites/nosuch/documents", {"X-API-KEY": API_KEY}, upsert)
        assert status == 400 and json.loads(raw)["error"]["code"] == "unknown_site"
        status, headers, _ = s.request("GET", "/sites/ex/documents", indexer)
        assert status == 405 and headers["Allow"] == "POST, DELETE, OPTIONS"

        # DELETE by page URL (the fragment is ignored): every record of the page goes.
        status, _, raw = s.request("DELETE", "/sites/ex/documents", indexer, json.dumps({"urls": [page + "#x"]}).encode())
        assert status == 200 and json.loads(raw)["removed"] == 2, raw
        assert search(s, "quokkaball")["total"] == 0 and search(s, "wheelhouse")["total"] == 0
        status, _, raw = s.request("DELETE", "/sites/ex/documents", indexer, json.dumps({"urls": [3]}).encode())
        assert status == 400 and "urls[0]" in json.loads(raw)["error"]["message"]
        new = "https://docs.example.org/guide/new.html"
        status, _, raw = s.request("POST", "/sites/ex/documents", indexer,
                                   json.dumps({"documents": [{"url": new, "title": "New", "body": "zeppelinword"}]}).encode())
        assert status == 200, raw
        log = open(s.log_path).read()
        assert '"audit":"documents_updated"' in log, log[-2000:]
        _, _, metrics = s.request("GET", "/metrics")
        assert 'siteseek_http_requests_total{route="documents",status="200"}' in metrics.decode()
        s.stop()

        # A restart serves the updated index from the segments kept in data_dir.
        s = Server(data_dir=str(data))
        assert result_urls(s, "zeppelinword") == [new]
        assert search(s, "quokkaball")["total"] == 0
        status, _, sites = s.get_json("/sites")
        assert [x["documents"] for x in sites["sites"] if x["name"] == "ex"][0] > 0
        # A reindex builds the site whole from its directory: the updates are gone with the manifest.
        status, _, raw = s.request("POST", "/indexer?site=ex", {"X-API-KEY": API_KEY})
        assert status == 202, raw
        deadline = time.time() + 30
        while time.time() < deadline and search(s, "zeppelinword")["total"] != 0:
            time.sleep(0.1)
        assert search(s, "zeppelinword")["total"] == 0 and search(s, "install")["total"] == before
    finally:
        s.stop()
