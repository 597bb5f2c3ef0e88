"""Python threads and one Engine, as the docstring promises ("searching is thread-safe"):
1. searches on several threads while the main thread adds documents for hundreds of new sites
   (each new site used to replace the C++ engine under the searches: a segmentation fault);
2. threads adding documents to the same site at once (the buffer used to be read without the
   GIL while another thread appended to it): every document arrives, none twice.
Each runs in a child interpreter, so a crash is a failed test with its exit status, not a lost
test run."""
import os
import subprocess
import sys
import textwrap

CHILD_ENV = dict(os.environ)


def run_child(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=CHILD_ENV, capture_output=True,
                          text=True, timeout=timeout)


def test_searches_while_sites_are_added():
    child = run_child("""
        import threading, siteseek
        e = siteseek.Engine()
        e.add_documents("base", [{"url": "https://x.invalid/install.html", "title": "Installing",
                                  "body": "install the package"}])
        stop = threading.Event()
        seen = []
        def search():
            n = 0
            while not stop.is_set():
                assert e.search("install", site="base").total == 1
                n += 1
            seen.append(n)
        threads = [threading.Thread(target=search) for _ in range(3)]
        for t in threads: t.start()
        for i in range(300):
            e.add_documents(f"s{i}", [{"url": f"https://x.invalid/{i}.html", "title": f"page {i}", "body": "words"}])
        stop.set()
        for t in threads: t.join()
        assert len(seen) == 3 and all(n > 0 for n in seen), seen
        assert len(e.sites()) == 301
        print("ok")
    """)
    assert child.returncode == 0 and child.stdout.strip() == "ok", (child.returncode, child.stderr[-2000:])


def test_threads_adding_to_one_site():
    child = run_child("""
        import threading, siteseek
        e = siteseek.Engine()
        e.add_documents("one", [{"url": "https://x.invalid/seed.html", "title": "seed", "body": "seed"}])
        def add(t):
            for i in range(40):
                e.add_documents("one", [{"url": f"https://x.invalid/{t}-{i}.html", "title": "doc", "body": "common word"}])
        threads = [threading.Thread(target=add, args=(t,)) for t in range(4)]
        for t in threads: t.start()
        for t in threads: t.join()
        assert e.search("common word", site="one", num=1000).total == 160
        assert e.sites()[0]["documents"] == 161
        print("ok")
    """)
    assert child.returncode == 0 and child.stdout.strip() == "ok", (child.returncode, child.stderr[-2000:])
