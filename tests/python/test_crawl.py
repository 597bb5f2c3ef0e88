"""Engine.crawl against the crawler's fixture web site (tests/fixtures/crawl_site/server.py,
127.0.0.1, a free port, stopped by PID at the end):
1. crawl(site) returns the report (robots.txt skips listed, the 404 failure listed) and
   publishes an index that search() answers from;
2. crawl() with no argument crawls the default site;
3. a site whose server does not answer raises IoError naming its URL, and keeps no index."""
import os
import subprocess

import pytest

import siteseek

SERVER = os.path.join(os.path.dirname(__file__), "..", "fixtures", "crawl_site", "server.py")


@pytest.fixture(scope="module")
def base():
    proc = subprocess.Popen(["/usr/bin/python3", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        yield f"http://127.0.0.1:{int(proc.stdout.readline())}"
    finally:
        proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=10)


def site(name, url):
    return {"name": name, "url": url, "crawl": {"timeout_ms": 1000, "connect_timeout_ms": 1000, "retries": 2}}


def test_crawl_publishes_an_index(base, tmp_path):
    e = siteseek.Engine({"data_dir": str(tmp_path), "sites": [site("fx", base + "/")]})
    report = e.crawl("fx")
    assert report["documents"] >= 5 and report["pages_indexed"] >= 5
    assert any(url.endswith("/private/secret.html") and "robots.txt" in why for url, why in report["skipped"])
    assert any(url.endswith("/missing.html") for url, _ in report["failed"])
    assert e.search("alpha", site="fx").results[0].url.startswith(base + "/a.html")
    assert e.search("redirect chain", site="fx").results[0].url == base + "/final.html"
    report = e.crawl()  # the default (only) site
    assert report["documents"] >= 5


def test_unreachable_site_raises(tmp_path):
    e = siteseek.Engine({"data_dir": str(tmp_path), "sites": [site("down", "http://127.0.0.1:1/")]})
    with pytest.raises(siteseek.IoError) as err:
        e.crawl("down")
    assert "http://127.0.0.1:1/" in str(err.value)
    assert e.sites()[0]["has_index"] is False
