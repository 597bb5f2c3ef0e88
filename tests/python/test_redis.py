"""The Python module with Redis, against a real redis-server started here on a free loopback
port (with Debian's RediSearch module for the last test):
1. storage='redis': Engine.reindex stores the index in Redis; another Engine loads it from there;
2. Redis away: RedisError with code redis_unavailable, searches still answer from memory;
3. backend='redisearch': Engine.search answers through RediSearch in the same result shape;
4. curation rules in Redis: two Engines changing one site's rules at once lose none of them (the
   WATCHed transaction is retried), each sees the other's, and a third applies them at load."""
import os
import socket
import subprocess
import time

import pytest

import siteseek

FIXTURE_SITE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "html", "site")
MODULE = "/usr/lib/redis/modules/redisearch.so"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def redis():
    def start(*extra):
        port = free_port()
        proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", *extra], stdout=subprocess.DEVNULL)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.02)
        started.append(proc)
        return port, proc

    started = []
    yield start
    for p in started:
        if p.poll() is None:
            p.terminate()
            p.wait(timeout=10)


def settings(port, tmp_path, **extra):
    s = {"storage": "redis", "redis_url": f"redis://127.0.0.1:{port}/0", "data_dir": str(tmp_path / "data"),
         "sites": [{"name": "ex", "url": "https://docs.example.org/", "directory": FIXTURE_SITE,
                    "title_separators": [" | "]}]}
    s.update(extra)
    return s


def test_indexes_shared_through_redis(redis, tmp_path):
    port, proc = redis()
    a = siteseek.Engine(settings(port, tmp_path))
    report = a.reindex("ex")
    assert report["documents"] > 0
    assert not (tmp_path / "data" / "ex.snapshot").exists()  # in Redis, not on disk
    b = siteseek.Engine(settings(port, tmp_path))
    assert b.load_snapshots() == ["ex"]
    assert [r.url for r in b.search("install", site="ex")] == [r.url for r in a.search("install", site="ex")]

    proc.terminate()
    proc.wait(timeout=10)
    with pytest.raises(siteseek.RedisError) as err:
        a.reindex("ex")
    assert err.value.code == "redis_unavailable"
    assert isinstance(err.value, siteseek.Error)
    assert a.search("install", site="ex").total > 0  # still answered from memory


@pytest.mark.skipif(not os.path.exists(MODULE), reason="redis-redisearch is not installed")
def test_redisearch_backend(redis, tmp_path):
    port, _ = redis("--loadmodule", MODULE)
    e = siteseek.Engine(settings(port, tmp_path, storage="embedded", backend="redisearch"))
    e.reindex("ex")
    res = e.search("apt", site="ex")
    assert res.total >= 1
    assert "<b>apt</b>" in res.results[0].body
    assert set(res.results[0].to_dict()) == {"title", "section_title", "hierarchy", "body", "url"}


def test_curation_rules_shared_through_redis(redis, tmp_path):
    import threading
    port, _ = redis()
    a = siteseek.Engine(settings(port, tmp_path))
    a.reindex("ex")
    b = siteseek.Engine(settings(port, tmp_path))
    errors = []

    def add(engine, who):
        try:
            for i in range(20):
                engine.add_rule("ex", {"kind": "synonyms", "synonyms": [f"{who}word{i}", "install"]})
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=add, args=(a, "a")), threading.Thread(target=add, args=(b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(a.rules("ex")) == 40 and len(b.rules("ex")) == 40
    a.add_rule("ex", {"kind": "pin", "query": "install", "urls": ["/guide/draft.html"]})
    c = siteseek.Engine(settings(port, tmp_path))
    c.load_snapshots()
    assert c.search("install", site="ex").results[0].url == "https://docs.example.org/guide/draft.html"
    assert any("install.html" in r.url for r in c.search("bword7", site="ex"))
