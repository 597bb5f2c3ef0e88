"""storage = "redis" with real processes: a redis-server on a free loopback port, two
`siteseek serve` nodes and `siteseek worker` processes, all started and stopped (by PID) here.

1. A reindex submitted through node A is run by a worker and served by node B; a live update
   through A is served by B, a delete through B reaches A.
2. A worker killed mid-job: the job is re-queued when its lease expires and finishes on another.
3. Redis stopped under running nodes: /health says 503 with the reason, searches still answer
   from memory, admin routes answer 503 at once; Redis back: both recover by themselves.
4. Settings pushed to Redis reach a node whose local config has no sites.
5. Search analytics: both nodes log to Redis, GET /analytics on either covers both, and a search
   answered by A is clicked through B (a load balancer's choice) and counted.
"""
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import FIXTURE_SITE, Server, siteseek_bin
from support import API_KEY, Redis, Worker, admin, clean_env, eventually, job, submit, total


@pytest.fixture()
def redis():
    r = Redis()
    yield r
    r.stop()


@pytest.fixture()
def site_dir():
    d = tempfile.mkdtemp()
    shutil.copytree(FIXTURE_SITE, os.path.join(d, "site"))
    yield os.path.join(d, "site")
    shutil.rmtree(d)


def shared_config(redis, site_dir, **extra):
    sites = [{"name": "ex", "url": "https://docs.example.org/", "directory": site_dir, "title_separators": [" | "]}]
    return dict(storage="redis", redis_url=redis.url, sites=sites, **extra)


def test_reindex_through_a_reaches_b(redis, site_dir):
    a = Server(**shared_config(redis, site_dir))
    b = Server(**shared_config(redis, site_dir))
    worker = Worker(a.config, "--name", "w1")
    try:
        # At start nobody had an index: a job was queued and the worker built it; both serve it.
        assert eventually(lambda: total(a, "install") > 0 and total(b, "install") > 0)
        assert total(b, "zanzibar") == 0
        with open(os.path.join(site_dir, "guide", "zanzibar.html"), "w") as f:
            f.write("<html><head><title>Zanzibar | Docs</title></head><body><main><h1>Zanzibar</h1>"
                    "<p>The zanzibar option sets the spice level.</p></main></body></html>")
        job_id = submit(a)
        done = eventually(lambda: job(b, job_id)["status"] in ("finished", "failed") and job(b, job_id))
        assert done["status"] == "finished", done
        assert done["report"]["documents"] > 0
        # Node B swaps to the new version within a second of its publication (pub/sub).
        assert eventually(lambda: total(b, "zanzibar") == 1, timeout=2.0)
        assert total(a, "zanzibar") == 1
        # A second submit while one is queued or running returns that job (debounce).
        first, second = submit(a), submit(b)
        assert first == second
        status, _, body = b.get_json("/health")
        assert status == 200, body
        for node in (a, b):  # the jobs just submitted finish before the live updates below
            assert eventually(lambda: job(node, first)["status"] in ("finished", "failed"))

        # A live update through A: searchable on A when answered, on B within two seconds.
        page = "https://docs.example.org/guide/quokka.html"
        upsert = json.dumps({"documents": [{"url": page, "title": "Quokkas", "body": "The quokka setting."}]}).encode()
        status, _, raw = a.request("POST", "/sites/ex/documents", {"X-API-KEY": API_KEY}, upsert)
        assert status == 200, raw
        assert total(a, "quokka") == 1
        assert eventually(lambda: total(b, "quokka") == 1, timeout=2.0)
        # Deleted through B, gone on A too.
        status, _, raw = b.request("DELETE", "/sites/ex/documents", {"X-API-KEY": API_KEY}, json.dumps({"urls": [page]}).encode())
        assert status == 200, raw
        assert total(b, "quokka") == 0
        assert eventually(lambda: total(a, "quokka") == 0, timeout=2.0)
    finally:
        worker.stop()
        a.stop()
        b.stop()


class SlowSite(http.server.BaseHTTPRequestHandler):
    """20 linked pages, 0.3 s each: a crawl that takes a few seconds."""

    def do_GET(self):
        if self.path == "/robots.txt":
            self.send_response(404)
            self.end_headers()
            return
        time.sleep(0.3)
        n = int(self.path.strip("/").split(".")[0] or 0) if self.path not in ("/", "/index.html") else 0
        links = "".join(f'<a href="/{i}.html">p{i}</a>' for i in range(n + 1, min(n + 3, 20)))
        body = (f"<html><head><title>Page {n} | Slow</title></head><body><main><h1>Page {n}</h1>"
                f"<p>slowpoke page number {n}</p>{links}</main></body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_killed_worker_s_job_finishes_on_another(redis, site_dir):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowSite)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    config = shared_config(redis, site_dir)
    config["sites"].append({"name": "slow", "url": base, "crawl": {"concurrency": 1, "max_pages": 20}})
    node = Server(**config)
    w1 = Worker(node.config, "--name", "doomed", "--lease-ms", "1500")
    w2 = None
    try:
        job_id = submit(node, "slow")
        running = eventually(lambda: job(node, job_id)["status"] == "running" and job(node, job_id))
        assert running and running["worker"] == "doomed", job(node, job_id)
        time.sleep(0.5)
        w1.proc.kill()  # SIGKILL mid-crawl: no chance to release anything
        w1.proc.wait()
        w2 = Worker(node.config, "--name", "rescuer", "--lease-ms", "1500")
        done = eventually(lambda: job(node, job_id)["status"] in ("finished", "failed") and job(node, job_id), timeout=60)
        assert done and done["status"] == "finished", done
        assert done["worker"] == "rescuer" and done["attempts"] == 2, done
        assert done["report"]["pages_indexed"] == 20
        assert eventually(lambda: total(node, "slowpoke", site="slow") > 0)
    finally:
        for w in (w1, w2):
            if w:
                w.stop()
        node.stop()
        httpd.shutdown()


def test_redis_down_and_back(redis, site_dir):
    node = Server(extra_args=("--worker",), **shared_config(redis, site_dir))
    try:
        assert eventually(lambda: total(node, "install") > 0)
        assert node.get_json("/health")[0] == 200
        redis.stop()
        status, _, body = eventually(lambda: (lambda r: r[0] == 503 and r)(node.get_json("/health")), timeout=5)
        assert body["error"]["code"] == "unavailable"
        assert "redis" in body["error"]["message"]
        assert total(node, "install") > 0  # served from memory
        t0 = time.time()
        status, _, body = admin(node, "POST", "/indexer?site=ex")
        assert status == 503, body
        assert json.loads(body)["error"]["code"] == "redis_unavailable"
        assert time.time() - t0 < 3  # an answer, not a hang
        redis.start()  # same port, empty
        assert eventually(lambda: node.get_json("/health")[0] == 200, timeout=10)
        job_id = submit(node)
        done = eventually(lambda: job(node, job_id)["status"] == "finished" and job(node, job_id), timeout=20)
        assert done, job(node, job_id)
    finally:
        node.stop()


def test_settings_pushed_to_redis_reach_a_node_without_sites(redis, site_dir):
    source = Server(**shared_config(redis, site_dir, max_num=4))
    try:
        out = subprocess.run([siteseek_bin(), "--config", source.config, "config", "push"], env=clean_env(),
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        assert "stored 1 site(s)" in out.stdout
        bare = Server(storage="redis", redis_url=redis.url, sites=[], extra_args=("--worker",))
        try:
            assert eventually(lambda: total(bare, "install") > 0)
            status, hdrs, _ = bare.get_json("/search?q=install&num=50")
            assert hdrs.get("X-Siteseek-Num-Clamped") == "4"  # max_num came from Redis
        finally:
            bare.stop()
    finally:
        source.stop()


def test_analytics_cover_the_cluster_and_clicks_cross_nodes(redis, site_dir):
    a = Server(extra_args=("--worker",), **shared_config(redis, site_dir))
    b = Server(**shared_config(redis, site_dir))
    try:
        assert eventually(lambda: total(a, "install") > 0 and total(b, "install") > 0)
        status, _, found = a.get_json("/search?q=install&site=ex&session=sess-000001")
        assert status == 200 and found["query_id"], found
        status, _, _ = b.get_json("/search?q=configure&site=ex&session=sess-000002")
        assert status == 200
        beacon = json.dumps({"query_id": found["query_id"], "position": 1, "url": "https://docs.example.org/install.html"})
        status, _, body = b.request("POST", "/analytics/click", {"Content-Type": "text/plain"}, beacon.encode())
        assert status == 204, body  # B never saw that search

        def report(node):
            status, _, body = admin(node, "GET", "/analytics?site=ex")
            assert status == 200, body
            return body

        def covers_both(node):
            r = report(node)
            queries = {q["query"] for q in r["top_queries"]}
            return {"install", "configure"} <= queries and r["clicks"] >= 1 and r
        for node in (a, b):
            r = eventually(lambda: covers_both(node), timeout=5)
            assert r, report(node)
            install = next(q for q in r["top_queries"] if q["query"] == "install")
            assert install["clicked_searches"] == 1
    finally:
        a.stop()
        b.stop()
