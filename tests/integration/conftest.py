"""Fixtures for integration tests: a real `siteseek serve` process on a free loopback port,
over the fixture site in tests/fixtures/html/site, stopped by PID at the end."""
import json
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE_SITE = os.path.join(HERE, "..", "fixtures", "html", "site")
API_KEY = "test-key-123"


def siteseek_bin():
    path = os.environ.get("SITESEEK_BIN")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("SITESEEK_BIN must name the built siteseek program (ctest sets it)")
    return path


# Tests send hundreds of requests from 127.0.0.1 in seconds and poll jobs every 50 ms: budgets
# that every request is checked against but that never run out (the rate-limit tests in
# test_http.py give their servers small ones).
UNLIMITED = {"per_second": 1e6, "burst": 1000000}


def write_config(directory, **extra):
    config = {
        "rate_limits": {"search": UNLIMITED, "admin": UNLIMITED, "per_key": UNLIMITED},
        "host": "127.0.0.1",
        "data_dir": os.path.join(directory, "data"),
        "cors_origins": ["https://docs.example.org"],
        "max_num": 5,
        "default_num": 3,
        "max_query_length": 200,
        "sites": [
            {"name": "ex", "url": "https://docs.example.org/", "directory": FIXTURE_SITE,
             "title_separators": [" | "], "synonyms": [["setup", "install"]]},
            {"name": "other", "url": "https://other.example.org/", "directory": FIXTURE_SITE},
        ],
    }
    config.update(extra)
    path = os.path.join(directory, "config.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return path


class Server:
    def __init__(self, api_key=API_KEY, extra_args=(), preexec_fn=None, **config):
        self.tmp = tempfile.TemporaryDirectory()
        self.config = write_config(self.tmp.name, **config)
        # Only the settings this test means: siteseek refuses unknown SITESEEK_* variables.
        env = {k: v for k, v in os.environ.items() if not k.startswith("SITESEEK_")}
        if api_key:
            env["SITESEEK_API_KEY"] = api_key
        self.log_path = os.path.join(self.tmp.name, "serve.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([siteseek_bin(), "--config", self.config, "serve", "--port", "0", *extra_args],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env, preexec_fn=preexec_fn)
        self.port = None
        deadline = time.time() + 30
        while time.time() < deadline and self.port is None:
            if self.proc.poll() is not None:
                raise RuntimeError("siteseek serve exited: " + open(self.log_path).read())
            m = re.search(r"on (https?)://127\.0\.0\.1:(\d+)/", open(self.log_path).read())
            if m:
                self.scheme, self.port = m.group(1), int(m.group(2))
            else:
                time.sleep(0.05)
        if self.port is None:
            self.stop()
            raise RuntimeError("siteseek serve did not start: " + open(self.log_path).read())
        self.base = f"{self.scheme}://127.0.0.1:{self.port}"

    def request(self, method, path, headers=None, body=None):
        req = urllib.request.Request(self.base + path, method=method, headers=headers or {}, data=body)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def get_json(self, path, headers=None):
        status, hdrs, body = self.request("GET", path, headers)
        return status, hdrs, (json.loads(body) if body else None)

    def stop(self):
        """Stop the server (SIGTERM) and fail on a sanitizer report or an unclean exit."""
        stopped_here = self.proc.poll() is None
        if stopped_here:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        log = open(self.log_path, errors="replace").read()
        code = self.proc.returncode
        self.tmp.cleanup()
        assert_no_sanitizer_report(log)
        assert not stopped_here or code == 0, f"siteseek serve exited with {code} on SIGTERM:\n{log[-4000:]}"


def refuse_io_uring():
    """preexec_fn: a seccomp filter under which io_uring_setup fails with EPERM, as it does in a
    container under Docker's default profile (x86-64 only)."""
    import ctypes

    class SockFilter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]

    load_word, jump_if_equal, ret = 0x20, 0x15, 0x06
    audit_arch_x86_64, nr_io_uring_setup = 0xC000003E, 425
    allow, errno_eperm = 0x7FFF0000, 0x00050000 | 1
    program = (SockFilter * 6)(
        SockFilter(load_word, 0, 0, 4),                          # seccomp_data.arch
        SockFilter(jump_if_equal, 0, 3, audit_arch_x86_64),      # another ABI: allow
        SockFilter(load_word, 0, 0, 0),                          # seccomp_data.nr
        SockFilter(jump_if_equal, 0, 1, nr_io_uring_setup),
        SockFilter(ret, 0, 0, errno_eperm),
        SockFilter(ret, 0, 0, allow))
    fprog = SockFprog(len(program), program)
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    if libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0 or \
            libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "seccomp filter refused")


def assert_no_sanitizer_report(output):
    """Under ASan/UBSan/TSan builds (scripts/test) a report fails the test that caused it."""
    for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "WARNING: ThreadSanitizer"):
        assert marker not in output, output[-6000:]


@pytest.fixture(scope="module")
def server():
    s = Server(extra_args=("--request-timeout-ms", "1500", "--idle-timeout-ms", "3000"))
    yield s
    s.stop()
