"""The HTTP API over real sockets against a real `siteseek serve` process:
1. /search: the old service's five result keys, site by name or URL, clamping, paging, errors;
2. /suggest, /sites, /health, /metrics, /openapi.json;
3. unknown routes (404) and wrong methods (405) as JSON errors;
4. admin endpoints: 403 without a configured key, 401 for a missing or wrong key, jobs that run;
5. CORS: allowed and refused origins, preflight;
6. limits: oversized headers (431), bodies (413), targets (414), long q (414), slow clients;
7. pipelined requests, concurrent searches during reindexing, graceful shutdown on SIGTERM."""
import json
import socket
import threading
import time

from conftest import API_KEY, Server


def test_search_shape_and_results(server):
    status, headers, body = server.get_json("/search?q=install")
    assert status == 200
    assert list(body) == ["total", "results", "took_ms"]
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
    assert {"/search", "/indexer", "/jobs/{id}", "/health"} <= set(body["paths"])


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
