"""Slow clients cannot shut others out of `serve`, alone or behind the tested nginx config (issue 24, finding 7).

The viewers here run with small limits, so that each test waits seconds: a
connection limit of 20, a 2 s header timeout, a 3 s idle timeout.
"""

import http.client
import json
import os
import pwd
import re
import resource
import shutil
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph.settings import DEFAULTS
from tests.hostile.connections import SlowClients
from tests.servers import free_port
from viewer.serving import FILES_PER_CONNECTION

REPO = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).with_name("strategy-graph"))
PROXY_CONFIG = REPO / "deploy" / "nginx" / "strategy-graph.conf"
# The config's placeholder host name, kept: the tests' clients ask for it by name, as a browser would.
HOST = "strategy.example.org"
# Debian puts nginx in /usr/sbin, which is not on a user's PATH.
NGINX = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin")
LIMITS = {"connection_limit": 20, "request_header_timeout_seconds": 2, "idle_connection_timeout_seconds": 3}
# How late a cut may come after its deadline: the server checks deadlines once a second, the clients ten times.
LATE = 3.0
# The open-file limit the exposed viewer starts with: below what its connections need.
FEW_FILES = 256


@dataclass
class Viewer:
    """`strategy-graph serve` in a subprocess, its output in files."""

    port: int
    process: subprocess.Popen
    folder: Path

    @property
    def stderr(self) -> str:
        return (self.folder / "stderr").read_text()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _serve(folder: Path, *args: str, open_files: tuple[int, int] | None = None) -> subprocess.Popen:
    """`strategy-graph serve ARGS`, its stdout and stderr in ``folder``; with ``open_files``, that soft and hard RLIMIT_NOFILE."""
    folder.mkdir(parents=True, exist_ok=True)

    def limit() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, open_files)

    with open(folder / "stdout", "wb") as out, open(folder / "stderr", "wb") as err:
        return subprocess.Popen([CLI, "serve", *args], cwd=folder, stdout=out, stderr=err,
                                preexec_fn=limit)  # noqa: PLW1509 — limit() only calls setrlimit, safe before exec


def _start(folder: Path, *args: str, open_files: tuple[int, int] | None = None) -> Viewer:
    """A viewer on a free port, once it answers its home page."""
    port = free_port()
    viewer = Viewer(port, _serve(folder, "--port", str(port), *args, open_files=open_files), folder)
    deadline = time.monotonic() + 60
    while _status(port, "/", timeout=5) != 200:
        if viewer.process.poll() is not None or time.monotonic() > deadline:
            viewer.stop()
            pytest.fail(f"serve did not start: {viewer.stderr}")
        time.sleep(0.2)
    return viewer


def _get(port: int, path: str, timeout: float, host: str = "127.0.0.1",
         headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _status(port: int, path: str, timeout: float) -> int | None:
    """The status of GET ``path``, or None if there is no answer within ``timeout`` seconds."""
    try:
        return _get(port, path, timeout)[0]
    except (TimeoutError, ConnectionError, http.client.HTTPException):
        return None


def _wait_until_all_cut(slow: SlowClients, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while slow.still_open and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.fixture(scope="module")
def exposed(tmp_path_factory):
    """The viewer on every interface (0.0.0.0), with the default settings, started with few open files allowed."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    viewer = _start(tmp_path_factory.mktemp("exposed"), "--host", "0.0.0.0", open_files=(FEW_FILES, hard))
    yield viewer
    viewer.stop()


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    """The viewer on 127.0.0.1 with small limits, answering to HOST and trusting a proxy on 127.0.0.1."""
    settings = {**LIMITS, "trusted_hosts": f"127.0.0.1,{HOST}", "trusted_proxy": "127.0.0.1"}
    viewer = _start(tmp_path_factory.mktemp("limited"), *(f"--setting={name}={value}" for name, value in settings.items()))
    yield viewer
    viewer.stop()


class _Connection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 as to HOST: HOST in the TLS handshake, the certificate check and the Host header."""

    def __init__(self, port: int, context: ssl.SSLContext, timeout: float = 10) -> None:
        super().__init__(HOST, port, context=context, timeout=timeout)
        self.tls = context

    def connect(self) -> None:
        self.sock = self.tls.wrap_socket(socket.create_connection(("127.0.0.1", self.port), self.timeout),
                                         server_hostname=HOST)


@dataclass
class Proxy:
    """nginx with the tested config, in front of the limited viewer."""

    port: int  # HTTPS
    http_port: int
    context: ssl.SSLContext  # trusts the test's own certificate for HOST
    config: str  # the tested config, as rendered

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 10) -> tuple[int, dict, bytes]:
        connection = _Connection(self.port, self.context, timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def wrap(self, sock: socket.socket) -> socket.socket:
        return self.context.wrap_socket(sock, server_hostname=HOST)


def _render(config: str, replacements: dict[str, str]) -> str:
    """The config with each text replaced; each must be there once, so that a changed config fails here, not silently."""
    for old, new in replacements.items():
        assert config.count(old) == 1, f"{PROXY_CONFIG.name} no longer holds {old!r} once"
        config = config.replace(old, new)
    return config


def _seconds(config: str, directive: str) -> float:
    return float(re.search(rf"^\s*{directive} (\d+)s;", config, re.MULTILINE).group(1))


@pytest.fixture(scope="module")
def proxy(limited, tmp_path_factory):
    """The tested nginx config on free ports of 127.0.0.1, before the limited viewer, with a certificate made for HOST."""
    if not NGINX or not shutil.which("openssl"):
        pytest.fail("nginx or openssl is not installed: ./dev test installs Debian's nginx and openssl")
    prefix = tmp_path_factory.mktemp("nginx")
    certificate, key = prefix / "certificate.pem", prefix / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "2", "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
                    "-keyout", str(key), "-out", str(certificate)], check=True, capture_output=True, timeout=60)
    port, http_port = free_port(), free_port()
    tested = PROXY_CONFIG.read_text()
    rendered = _render(tested, {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{limited.port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{port} ssl;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        # IPv6 is not needed here.
        "listen [::]:443 ssl;": "",
        "listen [::]:80;": "",
        f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(certificate),
        f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(key),
    })
    (prefix / "strategy-graph.conf").write_text(rendered)
    # Run as root, nginx's workers would be `nobody`, who cannot enter the test's private folders.
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.getuid() == 0 else ""
    temporary = "\n".join(f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (prefix / "nginx.conf").write_text(f"""{user}
worker_processes 1;
error_log {prefix / 'error.log'};
events {{ worker_connections 1024; }}
http {{
    access_log {prefix / 'access.log'};
{temporary}
    include {prefix / 'strategy-graph.conf'};
}}
""")
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(prefix / "nginx.conf"),
                                "-g", f"daemon off; pid {prefix / 'nginx.pid'};"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.create_default_context(cafile=str(certificate))
    running = Proxy(port, http_port, context, rendered)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if running.request("GET", "/", timeout=5)[0] == 200:
                    break
            except (OSError, http.client.HTTPException):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                error_log = prefix / "error.log"
                pytest.fail("nginx did not start: " + (error_log.read_text() if error_log.exists() else "no log"))
            time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        process.wait(10)


def test_a_hundred_and_one_slow_clients_do_not_shut_out_a_page(exposed):
    """Regression: waitress's connection_limit was 100, so 101 clients trickling headers left no room for anyone."""
    with SlowClients(exposed.port, 101, interval=1.0) as slow:
        time.sleep(1)  # every one of them connected and accepted
        status = _status(exposed.port, "/", timeout=5)
        assert status == 200, "no answer within 5 s while 101 slow clients were connected"
        assert slow.still_open == 101  # room was made by the limit, not by cutting them


def test_slow_headers_are_cut_by_the_viewer_at_its_header_timeout(limited):
    timeout = LIMITS["request_header_timeout_seconds"]
    # A byte every half second: never idle for the 3 s idle timeout, so only the header timeout can cut them.
    with SlowClients(limited.port, 5, interval=0.5) as slow:
        _wait_until_all_cut(slow, timeout + 3 * LATE)
        assert slow.still_open == 0, f"slow headers were not cut within {timeout + 3 * LATE} s"
        assert all(timeout - 0.1 <= lived <= timeout + LATE for lived in slow.lifetimes), slow.lifetimes


def test_an_idle_connection_is_cut_at_the_idle_timeout(limited):
    timeout = LIMITS["idle_connection_timeout_seconds"]
    with socket.create_connection(("127.0.0.1", limited.port), timeout=timeout + 3 * LATE) as idle:
        start = time.monotonic()
        try:
            assert idle.recv(1) == b""
        except TimeoutError:
            pytest.fail(f"an idle connection was still open after {timeout + 3 * LATE} s")
        assert timeout - 0.1 <= time.monotonic() - start <= timeout + LATE


def test_more_slow_clients_than_the_connection_limit_do_not_shut_out_a_page(limited):
    """Slow clients hold every connection, and come back as soon as they are cut; a page still answers."""
    count = LIMITS["connection_limit"] + 5
    with SlowClients(limited.port, count, interval=0.5, reconnect=True) as slow:
        time.sleep(0.5)
        assert _status(limited.port, "/", timeout=LIMITS["request_header_timeout_seconds"] + 2 * LATE) == 200
        assert slow.opened > count and slow.still_open >= LIMITS["connection_limit"]  # the attack went on meanwhile


def test_pages_and_sparql_answer_through_the_proxy_exactly(proxy, limited):
    # Asked directly for HOST too, so that the viewer writes the same page.
    assert proxy.request("GET", "/")[::2] == (200, _get(limited.port, "/", 10, HOST)[2])
    query = "/sparql?query=" + "SELECT%20%3Fs%20%3Fp%20%3Fo%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20ORDER%20BY%20%3Fs%20%3Fp%20%3Fo%20LIMIT%2050"
    accept = {"Accept": "application/sparql-results+json"}
    through = proxy.request("GET", query, headers=accept)
    assert through[0] == 200 and through[2] == _get(limited.port, query, 10, HOST, accept)[2]
    assert b'"bindings"' in through[2]
    posted = proxy.request("POST", "/sparql", body=b"ASK { ?s ?p ?o }",
                           headers={"Content-Type": "application/sparql-query", **accept})
    assert posted[0] == 200 and json.loads(posted[2])["boolean"] is True
    # The proxy's scheme reaches the viewer (trusted_proxy): the endpoint names itself with https.
    described = proxy.request("GET", "/sparql", headers={"Accept": "text/turtle"})[2]
    assert f"<https://{HOST}/sparql>".encode() in described
    assert f"<http://{HOST}/sparql>".encode() in _get(limited.port, "/sparql", 10, HOST, {"Accept": "text/turtle"})[2]
    # A name the viewer does not answer to is passed on as given, and refused by trusted_hosts.
    other = proxy.request("GET", "/", headers={"Host": "elsewhere.example"})
    assert other[0] == 400 and b"does not answer to that host name" in other[2]


def test_the_proxy_refuses_a_body_larger_than_the_viewer_accepts(proxy):
    size = DEFAULTS["max_post_body_bytes"]
    assert re.search(r"^\s*client_max_body_size (\d+);", proxy.config, re.MULTILINE).group(1) == str(size)
    status, _, body = proxy.request("POST", "/sparql", body=b"x" * (size + 1),
                                    headers={"Content-Type": "application/sparql-query"})
    assert status == 413 and b"nginx" in body  # refused by the proxy, before the viewer


def test_the_proxy_sends_plain_http_to_https(proxy):
    status, headers, _ = _get(proxy.http_port, "/downloads?x=1", 10, HOST)
    assert status == 301 and headers["Location"] == f"https://{HOST}/downloads?x=1"


def test_slow_headers_are_cut_by_the_proxy_and_never_shut_out_a_page(proxy, limited):
    timeout = _seconds(proxy.config, "client_header_timeout")
    count = LIMITS["connection_limit"] + 5
    with SlowClients(proxy.port, count, interval=0.5, host_header=HOST, wrap=proxy.wrap) as slow:
        time.sleep(0.5)
        # nginx holds them, and passes on only whole requests: the viewer's connections stay free.
        assert proxy.request("GET", "/", timeout=5)[0] == 200
        assert _status(limited.port, "/", timeout=5) == 200
        _wait_until_all_cut(slow, timeout + 3 * LATE)
        assert slow.still_open == 0, f"slow headers were not cut by the proxy within {timeout + 3 * LATE} s"
        assert all(timeout - 0.5 <= lived <= timeout + LATE for lived in slow.lifetimes), slow.lifetimes


def test_the_proxy_limits_sparql_requests_per_client_address(proxy):
    connection = _Connection(proxy.port, proxy.context)
    statuses = []
    try:
        for _ in range(60):
            connection.request("GET", "/sparql?query=ASK%20%7B%7D")
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
    finally:
        connection.close()
    assert set(statuses) == {200, 429} and statuses[0] == 200
    assert statuses.count(429) >= 20, statuses


def test_serving_on_a_non_loopback_address_says_what_anyone_can_reach(exposed):
    warning = exposed.stderr
    assert "0.0.0.0 is not a loopback address" in warning
    for exposed_thing in ("every page", "downloads", "/sparql", f"{DEFAULTS['sparql_time_limit_seconds']:g} s",
                          f"{DEFAULTS['sparql_max_rows']:,} rows", "everything the store holds", "no sign-in",
                          "trusted_hosts (127.0.0.1,localhost)"):
        assert exposed_thing in warning
    named = re.search(r"reverse proxy (\S+)", warning).group(1)
    assert REPO / named == PROXY_CONFIG  # the file the tests here run


def test_serving_on_a_loopback_address_warns_of_nothing(limited):
    assert "loopback" not in limited.stderr


def test_serve_raises_its_open_file_limit_to_fit_its_connections(exposed):
    limits = Path(f"/proc/{exposed.process.pid}/limits").read_text()
    soft = int(re.search(r"^Max open files\s+(\d+)", limits, re.MULTILINE).group(1))
    assert soft > FEW_FILES and soft > DEFAULTS["connection_limit"]


def test_serve_on_loopback_serves_fewer_connections_when_the_hard_open_file_limit_is_too_low(tmp_path):
    """Regression: `./dev run` where the hard limit is low (ulimit -n 256) refused to start at the default settings."""
    viewer = _start(tmp_path, open_files=(FEW_FILES, FEW_FILES))
    try:
        assert _status(viewer.port, "/", timeout=10) == 200
        fits = FEW_FILES // (2 * FILES_PER_CONNECTION)
        assert (f"The open-file limit of this process holds {fits} connections, not connection_limit="
                f"{DEFAULTS['connection_limit']}: serving 127.0.0.1") in viewer.stderr
    finally:
        viewer.stop()


def test_serve_says_what_to_change_when_the_hard_open_file_limit_is_too_low(tmp_path):
    process = _serve(tmp_path, "--host", "0.0.0.0", "--port", str(free_port()), open_files=(FEW_FILES, FEW_FILES))
    try:
        assert process.wait(30) == 2
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(10)
    message = (tmp_path / "stderr").read_text()
    assert f"connection_limit={DEFAULTS['connection_limit']} needs" in message and f"at most {FEW_FILES}" in message
    assert "--setting connection_limit=" in message and "ulimit -Hn" in message
