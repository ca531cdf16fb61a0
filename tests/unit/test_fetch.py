"""Audio fetched by URL: the address and port rules, one deadline for the whole download,
and the size cap, against a real HTTP server on this machine."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from parley.errors import InvalidArgument, TooLarge
from parley.services.fetch import FetchRules, download
from tests.conftest import free_port

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/audio":
            body = b"RIFF" + bytes(1000)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/huge":  # announces 2 GB, sends little
            self.send_response(200)
            self.send_header("Content-Length", str(2 << 30))
            self.end_headers()
            self.wfile.write(bytes(100))
        elif self.path == "/endless":  # no length, never ends
            self.send_response(200)
            self.end_headers()
            while True:
                self.wfile.write(bytes(65536))
        elif self.path == "/drip":  # a byte a second
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(1)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def rules(origin: str, **changes: object) -> FetchRules:
    port = int(origin.rsplit(":", 1)[1])
    base = {"max_bytes": 100_000, "seconds": 3.0, "ports": frozenset({port}), "networks": LOOPBACK}
    return FetchRules(**{**base, **changes})  # type: ignore[arg-type]


def test_an_allowed_address_is_fetched(origin: str) -> None:
    data, size = download(f"{origin}/audio", rules(origin))
    assert data.startswith(b"RIFF")
    assert size == 1004


def test_private_and_loopback_addresses_are_refused(origin: str) -> None:
    with pytest.raises(InvalidArgument, match="an address audio may not be fetched from"):
        download(f"{origin}/audio", rules(origin, networks=()))
    host = origin.replace("127.0.0.1", "localhost")
    with pytest.raises(InvalidArgument, match="may not be fetched from"):
        download(f"{host}/audio", rules(origin, networks=()))


def test_other_ports_are_refused(origin: str) -> None:
    with pytest.raises(InvalidArgument, match="ports"):
        download(f"{origin}/audio", rules(origin, ports=frozenset({80, 443})))


def test_closed_and_open_ports_fail_alike(origin: str) -> None:
    closed = free_port()
    url = f"http://127.0.0.1:{closed}/audio"
    with pytest.raises(InvalidArgument) as error:
        download(url, rules(origin, ports=frozenset({closed})))
    assert error.value.message == f"could not fetch {url}"


def test_a_declared_size_over_the_cap_is_refused_before_reading(origin: str) -> None:
    started = time.monotonic()
    with pytest.raises(TooLarge):
        download(f"{origin}/huge", rules(origin))
    assert time.monotonic() - started < 2


def test_an_endless_body_is_cut_at_the_cap(origin: str) -> None:
    with pytest.raises(TooLarge):
        download(f"{origin}/endless", rules(origin, max_bytes=1_000_000))


def test_a_drip_feed_meets_one_deadline(origin: str) -> None:
    started = time.monotonic()
    with pytest.raises(InvalidArgument, match="took longer than 3 s"):
        download(f"{origin}/drip", rules(origin))
    assert time.monotonic() - started < 3 + 2
