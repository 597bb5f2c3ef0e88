"""Real processes for the Redis suites: redis-server (optionally with RediSearch) on a free
loopback port, `siteseek worker`, and small helpers. Everything started here is stopped by PID."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time

from conftest import API_KEY, siteseek_bin

REDISEARCH_MODULE = "/usr/lib/redis/modules/redisearch.so"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    def __init__(self, *extra):
        self.port = free_port()
        self.extra = list(extra)
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--loglevel", "warning", *self.extra],
                                     stdout=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def freeze(self):
        """SIGSTOP: connections stay open but nothing is answered (a hung Redis)."""
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.proc.send_signal(signal.SIGCONT)

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


def clean_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITESEEK_")}
    env["SITESEEK_API_KEY"] = API_KEY
    return env


class Worker:
    def __init__(self, config, *args):
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        self.proc = subprocess.Popen([siteseek_bin(), "--config", config, "worker", *args],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=clean_env())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        os.unlink(self.log.name)

    def output(self):
        with open(self.log.name) as f:
            return f.read()


def eventually(check, timeout=15.0, every=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    return check()


def admin(node, method, path):
    return node.get_json(path, {"X-API-KEY": API_KEY}) if method == "GET" else \
        node.request(method, path, {"X-API-KEY": API_KEY})


def submit(node, site="ex"):
    status, _, body = admin(node, "POST", f"/indexer?site={site}")
    assert status == 202, body
    return json.loads(body)["jobs"][0]


def job(node, job_id):
    status, _, body = admin(node, "GET", f"/jobs/{job_id}")
    assert status == 200, body
    return body


def total(node, q, site="ex"):
    status, _, body = node.get_json(f"/search?q={q}&site={site}")
    assert status == 200, body
    return body["total"]


