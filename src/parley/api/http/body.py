"""Request bodies read within bounds: the size limit is checked from Content-Length before
reading and again while the body streams in, and the whole body must arrive in time."""

from __future__ import annotations

import anyio
from fastapi import Request

from parley.errors import RequestTimeout, RequestTooLarge, UnsupportedMediaType


async def read_json(request: Request, limit: int, seconds: float) -> bytes:
    """The body of a JSON request. Only `application/json` is taken: a browser may send
    text/plain across origins without asking, JSON only after a CORS check."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise UnsupportedMediaType(
            f"send the request as Content-Type: application/json, not {media or 'none'!r}"
        )
    return await read_body(request, limit, seconds)


async def read_body(request: Request, limit: int, seconds: float) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit, int(declared))
    body = bytearray()
    with anyio.move_on_after(seconds) as scope:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise _too_large(limit, len(body))
    if scope.cancelled_caught:
        raise RequestTimeout(f"the request body did not arrive within {seconds:.0f} s")
    return bytes(body)


def _too_large(limit: int, actual: int) -> RequestTooLarge:
    return RequestTooLarge(
        f"Request payload size exceeds the limit: {limit} bytes.",
        field="body",
        limit=limit,
        actual=actual,
    )
