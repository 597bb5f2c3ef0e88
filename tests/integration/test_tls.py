"""HTTPS in `siteseek serve` (tls.cert_file, tls.key_file), over real sockets, with self-signed
certificates made here by the openssl command:
1. a client verifying certificate A gets /search and /health, two requests on one connection
   (keep-alive), ALPN http/1.1;
2. plain HTTP on the TLS port is answered 400 in plain HTTP and the server serves on; TLS 1.1 is
   refused (when this OpenSSL lets a client try it), and TLS 1.2 with min_version "1.3"; each
   failed handshake is counted in /metrics;
3. SIGHUP reloads the files: a connection opened before keeps answering with A, a new one
   presents B; a broken reload (the key replaced by garbage) is logged naming the file and the
   server serves on with B; without TLS, SIGHUP is logged and changes nothing;
4. a client that connects and sends nothing is disconnected after the request timeout;
5. a key that is not the certificate's stops the start, naming both files."""
import http.client
import os
import re
import signal
import socket
import ssl
import subprocess
import time
import warnings

import pytest
from conftest import Server


def make_certificate(directory, name):
    """A self-signed certificate for localhost and 127.0.0.1: (cert path, key path)."""
    cert, key = os.path.join(directory, name + ".pem"), os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def der(cert_path):
    return ssl.PEM_cert_to_DER_cert(open(cert_path).read())


def client_context(cert_path):
    """Trusts only `cert_path`, checks the host name, offers h2 and http/1.1."""
    ctx = ssl.create_default_context(cafile=cert_path)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    return ctx


def connect(server, cert_path):
    return http.client.HTTPSConnection("127.0.0.1", server.port, context=client_context(cert_path), timeout=10)


def get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read()


def handshake_failures(server, cert_path):
    conn = connect(server, cert_path)
    try:
        status, body = get(conn, "/metrics")
        assert status == 200
        return int(re.search(rb"^siteseek_tls_handshake_failures_total (\d+)$", body, re.M).group(1))
    finally:
        conn.close()


def wait_for_log(server, pattern, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        log = open(server.log_path, errors="replace").read()
        if re.search(pattern, log):
            return log
        time.sleep(0.05)
    pytest.fail(f"no log line matching {pattern!r}:\n" + open(server.log_path, errors="replace").read()[-3000:])


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("certs")
    a, b = make_certificate(str(d), "a"), make_certificate(str(d), "b")
    return {"dir": str(d), "a": a, "b": b}


def tls_server(certs, name, **tls):
    """A server whose files are copies (the reload test replaces them)."""
    cert, key = os.path.join(certs["dir"], name + "-served.pem"), os.path.join(certs["dir"], name + "-served.key")
    with open(cert, "w") as f:
        f.write(open(certs["a"][0]).read())
    with open(key, "w") as f:
        f.write(open(certs["a"][1]).read())
    s = Server(extra_args=("--request-timeout-ms", "1500", "--idle-timeout-ms", "3000", "--log-level", "debug"),
               tls={"cert_file": cert, "key_file": key, **tls})
    s.cert_file, s.key_file = cert, key
    return s


def test_https_serves_with_keep_alive(certs):
    s = tls_server(certs, "serve")
    try:
        assert s.scheme == "https"
        conn = connect(s, certs["a"][0])
        status, body = get(conn, "/search?q=install")
        assert status == 200 and b"install.html" in body
        sock = conn.sock
        assert sock.version() in ("TLSv1.2", "TLSv1.3")
        assert sock.selected_alpn_protocol() == "http/1.1"
        assert sock.getpeercert(binary_form=True) == der(certs["a"][0])
        status, _ = get(conn, "/health")
        assert status == 200 and conn.sock is sock  # the same connection: kept alive
        conn.close()
        # A client that trusts another certificate refuses this one.
        with pytest.raises(ssl.SSLCertVerificationError):
            get(connect(s, certs["b"][0]), "/health")
    finally:
        s.stop()


def test_plain_http_and_old_protocols_are_refused(certs):
    s = tls_server(certs, "refuse")
    try:
        before = handshake_failures(s, certs["a"][0])
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as raw:
            raw.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = b""
            while chunk := raw.recv(4096):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 400 "), answer
        assert b"this port serves HTTPS only" in answer
        assert handshake_failures(s, certs["a"][0]) == before + 1

        # TLS 1.1: refused by the server, when this OpenSSL lets a client offer it at all.
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.load_verify_locations(certs["a"][0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.set_ciphers("DEFAULT:@SECLEVEL=0")  # Debian 12's OpenSSL lets a client offer TLS 1.1 so
        with pytest.raises((ssl.SSLError, ConnectionError)):
            get(http.client.HTTPSConnection("127.0.0.1", s.port, context=old, timeout=10), "/health")
        # + 2: the ClientHello reached the server and was refused; + 1: this client could not offer it.
        assert handshake_failures(s, certs["a"][0]) in (before + 1, before + 2)
        status, _ = get(connect(s, certs["a"][0]), "/health")
        assert status == 200
    finally:
        s.stop()

    s = tls_server(certs, "tls13", min_version="1.3")
    try:
        twelve = client_context(certs["a"][0])
        twelve.maximum_version = ssl.TLSVersion.TLSv1_2
        with pytest.raises(ssl.SSLError):
            get(http.client.HTTPSConnection("127.0.0.1", s.port, context=twelve, timeout=10), "/health")
        conn = connect(s, certs["a"][0])
        assert get(conn, "/health")[0] == 200 and conn.sock.version() == "TLSv1.3"
        assert handshake_failures(s, certs["a"][0]) == 1
    finally:
        s.stop()


def test_sighup_reloads_without_dropping_connections(certs):
    s = tls_server(certs, "reload")
    try:
        kept = connect(s, certs["a"][0])
        assert get(kept, "/search?q=install")[0] == 200
        kept_sock = kept.sock

        # A renewal: new files at the same paths, then SIGHUP to the server.
        for source, target in ((certs["b"][0], s.cert_file), (certs["b"][1], s.key_file)):
            with open(target + ".new", "w") as f:
                f.write(open(source).read())
            os.replace(target + ".new", target)
        s.proc.send_signal(signal.SIGHUP)
        wait_for_log(s, r"SIGHUP: TLS certificate reloaded from " + re.escape(s.cert_file))

        # The connection opened before answers on, with A; a new one gets B.
        assert get(kept, "/search?q=guide")[0] == 200 and kept.sock is kept_sock
        assert kept_sock.getpeercert(binary_form=True) == der(certs["a"][0])
        fresh = connect(s, certs["b"][0])
        assert get(fresh, "/health")[0] == 200
        assert fresh.sock.getpeercert(binary_form=True) == der(certs["b"][0])
        fresh.close()

        # A broken renewal: logged naming the file, B served on.
        with open(s.key_file, "w") as f:
            f.write("garbage\n")
        s.proc.send_signal(signal.SIGHUP)
        log = wait_for_log(s, r"SIGHUP: TLS reload failed")
        assert re.search(r"TLS reload failed, still serving the previous certificate: .*tls\.key_file: no unencrypted PEM "
                         r"private key in " + re.escape(s.key_file), log), log[-2000:]
        fresh = connect(s, certs["b"][0])
        assert get(fresh, "/health")[0] == 200
        assert fresh.sock.getpeercert(binary_form=True) == der(certs["b"][0])
        fresh.close()
        assert get(kept, "/health")[0] == 200 and kept.sock is kept_sock
        assert s.proc.poll() is None
        # `kept` is still open: the stop below ends it as it ends idle plain connections.
    finally:
        s.stop()


def test_sighup_without_tls_changes_nothing():
    s = Server()
    try:
        s.proc.send_signal(signal.SIGHUP)
        wait_for_log(s, r"SIGHUP: TLS is off \(no tls\.cert_file\), nothing to reload")
        assert s.request("GET", "/health")[0] == 200
    finally:
        s.stop()


def test_a_silent_client_is_disconnected_after_the_request_timeout(certs):
    s = tls_server(certs, "silent")
    try:
        before = handshake_failures(s, certs["a"][0])
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", s.port), timeout=15) as raw:
            assert raw.recv(4096) == b""  # closed by the server: end of stream, nothing sent
        elapsed = time.monotonic() - started
        assert 1.0 < elapsed < 14, elapsed  # --request-timeout-ms 1500
        assert handshake_failures(s, certs["a"][0]) == before + 1
        wait_for_log(s, r"TLS handshake with 127\.0\.0\.1 failed: timed out")
        assert get(connect(s, certs["a"][0]), "/health")[0] == 200
    finally:
        s.stop()


def test_a_key_of_another_certificate_stops_the_start(certs):
    with pytest.raises(RuntimeError) as failure:
        Server(tls={"cert_file": certs["a"][0], "key_file": certs["b"][1]})
    message = str(failure.value)
    assert f"tls.key_file: the private key in {certs['b'][1]} does not match the certificate in {certs['a'][0]}" in message
    assert "serving" not in message
