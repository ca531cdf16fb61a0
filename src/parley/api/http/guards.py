"""Who may reach the HTTP server by name, and which web pages may call it.

- Host: a page on evil.example whose name is made to resolve to 127.0.0.1 (DNS
  rebinding) sends `Host: evil.example`; only the names in `allowed_hosts` are served.
- Origin: browsers say which page a request comes from. Pages of other origins are let
  in only when listed (CORS for HTTP; the WebSocket handshake is checked here, since
  browsers apply no CORS to it). Parley's own pages are same-origin."""

from __future__ import annotations

import fnmatch
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from parley.api.google.errors import to_status
from parley.api.http.errors import error_response
from parley.errors import PermissionDenied


def host_name(host_header: str) -> str:
    """'example.com:8080' -> 'example.com'; '[::1]:8080' -> '[::1]'."""
    if host_header.startswith("["):
        return host_header.split("]", 1)[0] + "]"
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def name_allowed(name: str, allowed: list[str]) -> bool:
    return any(
        pattern == "*" or fnmatch.fnmatch(name.lower(), pattern.lower()) for pattern in allowed
    )


def origin_allowed(origin: str | None, host_header: str, allowed: list[str]) -> bool:
    """No Origin: not a browser page. Same origin (the page Parley serves): allowed."""
    if origin is None:
        return True
    if origin == "null":
        return "null" in allowed
    if urlsplit(origin).netloc.lower() == host_header.lower():
        return True
    return origin in allowed or "*" in allowed


class HostGuard:
    """Refuses requests whose Host header names a host not in `allowed` (403)."""

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self._app = app
        self._allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = Headers(scope=scope).get("host", "")
            if not name_allowed(host_name(host), self._allowed):
                error = PermissionDenied(f"this server does not answer to the host name {host!r}")
                response = error_response(to_status(error))
                if scope["type"] == "websocket":
                    await send(
                        {
                            "type": "websocket.http.response.start",
                            "status": 403,
                            "headers": response.raw_headers,
                        }
                    )
                    await send({"type": "websocket.http.response.body", "body": response.body})
                else:
                    await response(scope, receive, send)
                return
        await self._app(scope, receive, send)
