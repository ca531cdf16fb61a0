"""HTTP(S) downloads of audio named by URI, safe against a caller who names the server's
own network: every address a name resolves to is checked at connect time (no DNS
rebinding between check and use), only allowed ports, one deadline for the whole
download, the size cap from Content-Length and while reading, no proxy variables, no
redirects, and errors that do not tell closed ports from open ones."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpcore

from parley.errors import InvalidArgument, TooLarge

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
READ_SECONDS = 5.0


@dataclass(frozen=True)
class FetchRules:
    max_bytes: int
    seconds: float  # for the whole download
    ports: frozenset[int] = frozenset({80, 443})
    networks: tuple[Network, ...] = field(default=())  # allowed even if private


class _Refused(Exception):
    """An address the rules forbid (kept apart from ordinary network errors)."""


class _GuardedBackend(httpcore.SyncBackend):
    def __init__(self, rules: FetchRules) -> None:
        self._rules = rules

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = {str(info[4][0]) for info in infos}
        for address in sorted(addresses):
            if not self._allowed(ipaddress.ip_address(address)):
                raise _Refused(address)
        # Connect to the address just checked, not to the name (which may now resolve
        # elsewhere); TLS still checks the certificate against the name.
        return super().connect_tcp(
            str(sorted(addresses)[0]), port, timeout, local_address, socket_options
        )

    def _allowed(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        if any(address in network for network in self._rules.networks):
            return True
        return address.is_global and not address.is_multicast


def download(uri: str, rules: FetchRules) -> tuple[bytes, int]:
    """The body of a GET of `uri`, spooled to disk while it arrives; and its size."""
    url = httpcore.URL(uri)
    port = url.port or (443 if url.scheme == b"https" else 80)
    if port not in rules.ports:
        raise InvalidArgument(
            f"audio may be fetched from ports {sorted(rules.ports)} only, not {port}",
            field="audio.uri",
        )
    deadline = time.monotonic() + rules.seconds
    pool = httpcore.ConnectionPool(
        ssl_context=ssl.create_default_context(), network_backend=_GuardedBackend(rules)
    )
    try:
        with pool, tempfile.TemporaryFile() as spool:
            size = _stream_to(spool, pool, uri, rules, deadline)
            spool.seek(0)
            return spool.read(), size
    except _Refused as refused:
        raise InvalidArgument(
            f"{uri} resolves to {refused}, an address audio may not be fetched from",
            field="audio.uri",
        ) from None
    except (httpcore.TimeoutException, TimeoutError):
        raise InvalidArgument(
            f"fetching {uri} took longer than {rules.seconds:.0f} s", field="audio.uri"
        ) from None
    except (httpcore.NetworkError, httpcore.ProtocolError, OSError):
        raise InvalidArgument(f"could not fetch {uri}", field="audio.uri") from None


def _stream_to(
    spool: Any, pool: httpcore.ConnectionPool, uri: str, rules: FetchRules, deadline: float
) -> int:
    left = max(0.1, deadline - time.monotonic())
    # Short reads, so that the deadline is checked often even against a slow drip.
    read = min(left, READ_SECONDS)
    extensions = {"timeout": {"connect": left, "read": read, "write": left, "pool": left}}
    with pool.stream("GET", uri, extensions=extensions) as reply:
        if reply.status != 200:
            raise InvalidArgument(f"fetching {uri} failed: HTTP {reply.status}", field="audio.uri")
        declared = {k.lower(): v for k, v in reply.headers}.get(b"content-length")
        if declared is not None and declared.isdigit():
            check_size(int(declared), uri, rules.max_bytes)
        size = 0
        for chunk in reply.iter_stream():
            size += len(chunk)
            check_size(size, uri, rules.max_bytes)
            if time.monotonic() > deadline:
                raise TimeoutError
            spool.write(chunk)
    return size


def check_size(size: int, uri: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise TooLarge(
            f"{uri} is larger than the {max_bytes} bytes allowed",
            field="audio.uri",
            limit=max_bytes,
            actual=size,
        )


def file_name(uri: str) -> str:
    return Path(httpcore.URL(uri).target.decode().split("?")[0]).name or uri
