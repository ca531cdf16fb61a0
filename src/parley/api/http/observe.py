"""Every HTTP request and WebSocket: a request id (X-Request-Id, kept from the client when
plain), one access-log line, and its metrics. The log names the route, never the query
(a key may be in it), the audio or the text."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parley.api import request_id
from parley.api.metrics import Metrics

access_log = logging.getLogger("parley.access")


class Observe:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        rid = request_id.start(headers.get(b"x-request-id", b"").decode("latin-1"))
        started = time.perf_counter()
        status = [0]

        async def sending(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.http.response.start"):
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            elif message["type"] == "websocket.accept":
                status[0] = 101
            await send(message)

        try:
            await self._app(scope, receive, sending)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("route")
            method = getattr(route, "path", None) or "unmatched"
            verb = scope.get("method", "WS")
            self._metrics.request(scope["type"], f"{verb} {method}", str(status[0]), seconds)
            access_log.info(
                "%s %s %s %d %.3fs id=%s",
                scope["type"],
                verb,
                scope.get("path", ""),
                status[0],
                seconds,
                rid,
            )
