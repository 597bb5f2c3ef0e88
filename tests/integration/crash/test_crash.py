"""Crash safety with real processes (kill -9), and refused snapshots:
1. `siteseek index` killed while it writes its snapshot: the previous snapshot is intact, the
   dead writer's temporary file is removed at the next start, and serve answers from the last
   complete index.
2. `siteseek index` killed in the middle of a crawl: the same.
3. A truncated and a corrupted snapshot: `snapshot info` names the problem (exit 1); serve refuses
   the file with a message naming it, indexes the site again and serves it.
4. `siteseek serve` killed while its query log is being written, under a stream of searches: every
   search answered more than a second before the kill is in the report after a restart (the
   writer flushes every 100 ms), none is counted twice, and the restarted server appends after the
   torn tail it finds, so its own searches are counted too.
5. `siteseek serve` killed in a stream of live updates (POST/DELETE /sites/{name}/documents, with
   the merges and saves they cause), three times: after each restart every acknowledged update
   is there and nothing else is (only the one in flight at the kill may be there or not), and
   once more aimed at a merge (its segment written, no manifest naming it yet); then
   `siteseek index` (every page changed: a whole build) killed while it writes the whole snapshot
   leaves the updates in force, and a finished one replaces them. The same stream with
   storage = "redis" (a redis-server started here): nothing acknowledged is lost either.
"""
import glob
import http.server
import importlib.util
import json
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request

import pytest

from conftest import siteseek_bin

WORDS = ("alpha beta gamma delta epsilon zeta theta iota kappa lambda sigma omega install configure "
         "module function class method return value string integer list dict tuple set file path").split()


def make_site(root, pages, marker, seed=1):
    """`pages` HTML pages of a few KB each, all containing `marker`."""
    rnd = random.Random(seed)
    os.makedirs(root, exist_ok=True)
    for i in range(pages):
        sections = "".join(
            f"<h2 id='s{k}'>Section {k} {rnd.choice(WORDS)}</h2><p>{' '.join(rnd.choice(WORDS) + str(rnd.randrange(5000)) for _ in range(400))}</p>"
            for k in range(4))
        with open(os.path.join(root, f"p{i}.html"), "w") as f:
            f.write(f"<html><head><title>Page {i} {marker} | Docs</title></head><body><main><h1>Page {i}</h1>"
                    f"<p>{marker} text</p>{sections}</main></body></html>")


def env():
    return {k: v for k, v in os.environ.items() if not k.startswith("SITESEEK_")}


def config(tmp, app=None, **site):
    path = os.path.join(tmp, "config.json")
    s = {"name": "ex", "url": "https://docs.example.org/", "title_separators": [" | "]}
    s.update(site)
    with open(path, "w") as f:
        json.dump({"host": "127.0.0.1", "data_dir": os.path.join(tmp, "data"), "sites": [s], **(app or {})}, f)
    return path


def index(cfg, **kw):
    return subprocess.Popen([siteseek_bin(), "--config", cfg, "--log-level", "warn", "index"], env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def info(path):
    return subprocess.run([siteseek_bin(), "snapshot", "info", path], env=env(), capture_output=True, text=True)


class Serve:
    def __init__(self, cfg):
        self.log = tempfile.NamedTemporaryFile("w+", delete=False)
        self.proc = subprocess.Popen([siteseek_bin(), "--config", cfg, "serve", "--port", "0"], env=env(),
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        self.port = None
        while time.time() < deadline and self.port is None:
            m = re.search(r"on http://127\.0\.0\.1:(\d+)/", open(self.log.name).read())
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None:
                raise RuntimeError(open(self.log.name).read())
            else:
                time.sleep(0.05)
        assert self.port, open(self.log.name).read()

    def total(self, q):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/search?q={q}", timeout=10) as r:
            return json.load(r)["total"]

    def exact(self, word):
        """Results for `word` alone: no typo variants, no completions (mark15x is not mark55x)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/search?q={word}&typo=false&prefix=false", timeout=10) as r:
            return json.load(r)["total"]

    def output(self):
        return open(self.log.name).read()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=20)
        os.unlink(self.log.name)


KEY = "crash-test-key-0123456789abcdef"


def keyed_site(tmp_path, pages, marker, **app):
    """A site of `pages` pages indexed into tmp_path/data (or the store `app` names), served with
    the admin key KEY; its config."""
    site = str(tmp_path / "site")
    make_site(site, pages, marker)
    cfg = config(str(tmp_path), app={"api_key": KEY, "rate_limits": {"enabled": False}, **app}, directory=site)
    assert index(cfg).wait(timeout=300) == 0
    return site, cfg


def kill_when(proc, ready, timeout=60):
    """SIGKILL `proc` as soon as ready() holds; False when it finished first."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if ready():
            proc.kill()
            proc.wait()
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.0005)
    proc.kill()
    proc.wait()
    return False


def test_kill_during_snapshot_write(tmp_path):
    site = str(tmp_path / "site")
    make_site(site, 300, "alphaword")
    cfg = config(str(tmp_path), directory=site)
    assert index(cfg).wait(timeout=300) == 0
    snapshot = str(tmp_path / "data" / "ex.snapshot")
    before = os.path.getsize(snapshot)
    assert info(snapshot).returncode == 0
    make_site(site, 300, "betaword", seed=2)  # same pages, new content: the next snapshot differs

    landed = False
    for _ in range(8):
        proc = index(cfg)
        temps = lambda: glob.glob(snapshot + ".tmp.*")
        # Kill as soon as the temporary file exists: the snapshot is being written, not yet renamed.
        if kill_when(proc, lambda: bool(temps())):
            if temps():
                landed = True
                break
    assert landed, "no kill landed during the snapshot write in 8 tries"
    assert os.path.getsize(snapshot) == before          # the old file, untouched
    assert info(snapshot).returncode == 0                # and complete (checksum)
    node = Serve(cfg)
    try:
        assert node.total("alphaword") > 0               # the last complete index
        assert node.total("betaword") == 0
        assert not glob.glob(snapshot + ".tmp.*")         # the dead writer's file is gone
    finally:
        node.stop()


class Slow(http.server.BaseHTTPRequestHandler):
    delay = 0.0
    marker = "gammaword"

    def do_GET(self):
        if self.path == "/robots.txt":
            self.send_response(404)
            self.end_headers()
            return
        time.sleep(Slow.delay)
        n = 0 if self.path in ("/", "/index.html") else int(self.path.strip("/").split(".")[0])
        links = "".join(f'<a href="/{i}.html">p{i}</a>' for i in range(n + 1, min(n + 3, 30)))
        body = (f"<html><head><title>Page {n} | Slow</title></head><body><main><h1>Page {n}</h1>"
                f"<p>{Slow.marker} number {n}</p>{links}</main></body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_kill_during_crawl(tmp_path):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        cfg = config(str(tmp_path), url=f"http://127.0.0.1:{httpd.server_address[1]}/",
                     crawl={"concurrency": 1, "max_pages": 30})
        assert index(cfg).wait(timeout=120) == 0
        snapshot = str(tmp_path / "data" / "ex.snapshot")
        good = open(snapshot, "rb").read()
        Slow.delay, Slow.marker = 0.2, "deltaword"
        proc = index(cfg)
        time.sleep(1.5)  # a few pages into a 6 s crawl
        assert proc.poll() is None
        proc.kill()
        proc.wait()
        assert open(snapshot, "rb").read() == good
        Slow.delay = 0.0
        node = Serve(cfg)
        try:
            assert node.total("gammaword") > 0
            assert node.total("deltaword") == 0
        finally:
            node.stop()
    finally:
        httpd.shutdown()


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_damaged_snapshot_is_refused_and_rebuilt(tmp_path, damage):
    site = str(tmp_path / "site")
    make_site(site, 20, "epsilonword")
    cfg = config(str(tmp_path), directory=site)
    assert index(cfg).wait(timeout=120) == 0
    snapshot = str(tmp_path / "data" / "ex.snapshot")
    data = bytearray(open(snapshot, "rb").read())
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 2] ^= 0xFF
    open(snapshot, "wb").write(data)
    out = info(snapshot)
    assert out.returncode == 1
    expected = "truncated" if damage == "truncated" else "checksum mismatch"
    assert expected in out.stdout + out.stderr
    node = Serve(cfg)
    try:
        log = node.output()
        assert f"refusing its snapshot: snapshot {snapshot} is" in log and expected in log, log
        assert node.total("epsilonword") > 0  # indexed again from its directory
    finally:
        node.stop()
    assert info(snapshot).returncode == 0  # and saved whole


def test_kill_during_query_log_writes(tmp_path):
    _, cfg = keyed_site(tmp_path, 5, "zetaword")
    key = KEY

    def searches(node):
        req = urllib.request.Request(f"http://127.0.0.1:{node.port}/analytics", headers={"X-API-KEY": key})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)["searches"]

    node = Serve(cfg)
    answered = []  # when each search was answered (time.monotonic)
    stop = threading.Event()

    def stream():
        i = 0
        while not stop.is_set():
            try:
                node.total(f"zetaword{i}")  # a new query each time: no two are merged by a report
            except OSError:
                return  # the server is gone
            answered.append(time.monotonic())
            i += 1

    worker = threading.Thread(target=stream)
    worker.start()
    time.sleep(2.5 + random.random())
    killed_at = time.monotonic()
    node.proc.kill()
    node.proc.wait()
    stop.set()
    worker.join(timeout=30)
    os.unlink(node.log.name)
    settled = sum(1 for t in answered if t < killed_at - 1.0)
    assert settled > 20, f"only {settled} searches were answered before the kill"

    node = Serve(cfg)
    try:
        counted = searches(node)
        assert settled <= counted <= len(answered), (settled, counted, len(answered))
        for i in range(10):
            node.total(f"etaword{i}")
        assert searches(node) == counted + 10
    finally:
        node.stop()


class UpdateStream:
    """Live updates over HTTP to `siteseek serve` (upserts of a page's two records, and deletes, of
    30 pages), killed with kill -9 at random moments; check() then finds every acknowledged update
    and nothing else (the one in flight at the kill may be there or not)."""

    ROOT = "https://docs.example.org/"
    PAGES = 30

    def __init__(self):
        self.acked = {}  # page -> its marker, or None when deleted, after every acknowledged update
        self.markers = set()  # every marker ever sent
        self.op = 0
        self.last = None  # (page, marker) in flight at the last kill

    def page(self, i):
        return f"{self.ROOT}upd{i % self.PAGES}.html" if i % 5 != 4 else f"{self.ROOT}upd{(i * 7) % self.PAGES}.html"

    def send(self, node, i):
        page = self.page(i)
        if i % 5 != 4:
            body = json.dumps({"documents": [{"url": page, "title": f"Update {i}", "body": f"mark{i}x text"},
                                             {"url": page + "#s", "title": f"Update {i}", "type": "section",
                                              "section_title": "More", "body": f"mark{i}x more"}]})
            method, marker = "POST", f"mark{i}x"
        else:
            body, method, marker = json.dumps({"urls": [page]}), "DELETE", None
        req = urllib.request.Request(f"http://127.0.0.1:{node.port}/sites/ex/documents", data=body.encode(), method=method,
                                     headers={"X-API-KEY": KEY, "Content-Type": "application/json"})
        if marker:
            self.markers.add(marker)
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status == 200

    def check(self, node):
        """Every acknowledged update is there, nothing else (the one in flight may be)."""
        in_flight = self.last
        for alternative in ([self.acked] + ([{**self.acked, in_flight[0]: in_flight[1]}] if in_flight else [])):
            expected = {m for m in alternative.values() if m}
            if all((node.exact(m) > 0) == (m in expected) for m in sorted(self.markers)):
                self.acked = alternative
                return
        found = sorted(m for m in self.markers if node.exact(m) > 0)
        raise AssertionError(f"after the kill: found {found}, acknowledged {sorted(m for m in self.acked.values() if m)}, "
                             f"in flight {in_flight}")

    def kill_rounds(self, cfg, rounds=3):
        """`rounds` servers, each checked at start and killed 1.5-3.5 s into a stream of updates."""
        for round_ in range(rounds):
            node = Serve(cfg)
            try:
                if round_ > 0:
                    self.check(node)
                assert node.total("alphaword") > 0
            except BaseException:
                node.stop()  # a failed check leaves no server running
                raise
            stop = threading.Event()
            self.last = None

            def stream():
                while not stop.is_set():
                    page = self.page(self.op)
                    self.last = (page, f"mark{self.op}x" if self.op % 5 != 4 else None)
                    try:
                        self.send(node, self.op)
                    except (OSError, AssertionError):
                        return  # the server is gone: `last` may or may not have landed
                    self.acked[page] = self.last[1]
                    self.last = None
                    self.op += 1

            worker = threading.Thread(target=stream)
            worker.start()
            time.sleep(1.5 + random.random() * 2)
            node.proc.kill()
            node.proc.wait()
            stop.set()
            worker.join(timeout=60)
            os.unlink(node.log.name)
            if self.last is not None:
                self.op += 1  # its number is used: markers stay unique
        assert self.op > 30, f"only {self.op} updates were sent"
        print(f"{self.op} updates over {rounds} kills")

    def kill_in_a_merge(self, cfg, data, tries=8):
        """A server killed while a merge's segment is written and no manifest names it yet
        (Store::write_segment, before the save that keeps the merge): a burst of updates, each
        acknowledged, then none, so that a segment file the manifest does not name is a merge's.
        True when a kill landed so; each try's server is checked at start."""
        manifest = os.path.join(data, "ex.segments")

        def unnamed():
            try:
                with open(manifest) as f:
                    named = {os.path.basename(s["file"]) for s in json.load(f)["segments"]}
            except (OSError, ValueError, KeyError):
                return None  # none yet, or being replaced: look again
            return {os.path.basename(p) for p in glob.glob(os.path.join(data, "ex.*.segment"))} - named

        for _ in range(tries):
            node = Serve(cfg)
            try:
                self.check(node)
                leftovers = unnamed() or set()  # a merge killed before: never named, removed by a later save
                for _ in range(40):
                    self.send(node, self.op)
                    self.acked[self.page(self.op)] = f"mark{self.op}x" if self.op % 5 != 4 else None
                    self.op += 1
            except BaseException:
                node.stop()
                raise
            self.last = None
            deadline, landed = time.time() + 5, False
            while time.time() < deadline and not landed:
                written = unnamed()
                if written and written - leftovers:
                    node.proc.kill()
                    node.proc.wait()
                    os.unlink(node.log.name)
                    landed = True
                time.sleep(0.0005)
            if landed:
                return True
            node.stop()
        return False

    def check_restarted(self, cfg):
        node = Serve(cfg)
        try:
            self.check(node)
        finally:
            node.stop()


def test_kill_during_live_updates(tmp_path):
    site, cfg = keyed_site(tmp_path, 120, "alphaword")
    updates = UpdateStream()
    updates.kill_rounds(cfg)
    updates.check_restarted(cfg)
    data = os.path.join(str(tmp_path), "data")
    assert os.path.exists(os.path.join(data, "ex.segments"))
    # Killed in a merge: its segment written, not yet named.
    assert updates.kill_in_a_merge(cfg, data), "no kill landed in a merge in 8 tries"
    updates.check_restarted(cfg)
    assert not glob.glob(os.path.join(data, "*.tmp.*"))  # the dead writers' files are gone at start

    # `siteseek index` of a site whose every page changed (a whole build, not an update in place)
    # killed while it writes the whole snapshot: the updates stay in force.
    make_site(site, 120, "betaword", seed=2)
    snapshot = os.path.join(data, "ex.snapshot")
    landed = False
    for _ in range(8):
        proc = index(cfg)
        if kill_when(proc, lambda: bool(glob.glob(snapshot + ".tmp.*"))) and glob.glob(snapshot + ".tmp.*"):
            landed = True
            break
    assert landed, "no kill landed during the snapshot write in 8 tries"
    updates.last = None
    updates.check_restarted(cfg)
    # A finished one builds the site whole from its directory: the updates are gone.
    assert index(cfg).wait(timeout=300) == 0
    assert not os.path.exists(os.path.join(data, "ex.segments"))
    node = Serve(cfg)
    try:
        assert all(node.exact(m) == 0 for m in sorted(updates.markers)[:50]) and node.total("betaword") > 0
        assert node.total("alphaword") == 0
    finally:
        node.stop()


def test_kill_during_live_updates_shared_storage(tmp_path):
    """The stream of 5. with storage = "redis": an update is answered once one Lua script kept it
    in Redis, so a node killed at any moment loses nothing it acknowledged."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    spec = importlib.util.spec_from_file_location("redis_support", os.path.join(os.path.dirname(__file__), "..", "redis", "support.py"))
    support = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(support)
    redis = support.Redis()
    try:
        _, cfg = keyed_site(tmp_path, 120, "alphaword", storage="redis", redis_url=f"redis://127.0.0.1:{redis.port}/0")
        updates = UpdateStream()
        updates.kill_rounds(cfg)
        updates.check_restarted(cfg)
        assert not glob.glob(os.path.join(str(tmp_path), "data", "ex.*"))  # all of it in Redis
    finally:
        redis.stop()
