"""Wyoming events read within bounds: a JSON header line, then `data_length` bytes of more
JSON and `payload_length` bytes of payload. The `wyoming` package's reader trusts both
lengths; this one caps them, and a peer that stops mid-event times out."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from wyoming.event import Event, async_write_event

from parley.errors import InvalidArgument, StreamTimeout

MAX_LINE_BYTES = 64 * 1024
MAX_DATA_BYTES = 64 * 1024
MAX_PAYLOAD_BYTES = 1024 * 1024  # ten seconds of 48 kHz stereo 16-bit audio


class ProtocolError(InvalidArgument):
    """The peer broke the framing; the connection cannot go on."""


async def read_event(reader: asyncio.StreamReader, idle_seconds: float) -> Event | None:
    """The next event, or None when the peer closed between events."""
    try:
        async with asyncio.timeout(idle_seconds):
            line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as error:
        if not error.partial.strip():
            return None
        raise ProtocolError("the connection closed in the middle of an event") from error
    except asyncio.LimitOverrunError as error:
        raise ProtocolError(f"an event header is over {MAX_LINE_BYTES} bytes") from error
    except TimeoutError:
        raise StreamTimeout(f"no event came for {idle_seconds:.0f} s") from None
    header = _header(line)
    data = header.get("data") or {}
    if not isinstance(data, dict):
        raise ProtocolError("an event's data must be a JSON object")
    sizes = (
        _length(header, "data_length", MAX_DATA_BYTES),
        _length(header, "payload_length", MAX_PAYLOAD_BYTES),
    )
    try:
        async with asyncio.timeout(idle_seconds):
            extra, payload = await _exactly(reader, sizes[0]), await _exactly(reader, sizes[1])
    except TimeoutError:
        raise ProtocolError(
            f"the {sum(sizes)} bytes the event's header declared did not arrive within "
            f"{idle_seconds:.0f} s"
        ) from None
    if extra:
        data.update(_object(extra, "data"))
    return Event(type=header["type"], data=data, payload=payload or None)


async def write_event(writer: asyncio.StreamWriter, event: Event) -> None:
    await async_write_event(event, writer)


def _header(line: bytes) -> dict[str, Any]:
    header = _object(line, "header")
    if not isinstance(header.get("type"), str) or not header["type"]:
        raise ProtocolError("an event header needs a `type`")
    return header


def _object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise ProtocolError(f"an event's {what} is not JSON: {error}") from error
    if not isinstance(value, dict):
        raise ProtocolError(f"an event's {what} must be a JSON object")
    return value


def _length(header: dict[str, Any], key: str, limit: int) -> int:
    value = header.get(key) or 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise ProtocolError(f"{key} must be a whole number from 0 to {limit}, not {value!r}")
    return value


async def _exactly(reader: asyncio.StreamReader, size: int) -> bytes:
    if not size:
        return b""
    try:
        return await reader.readexactly(size)
    except asyncio.IncompleteReadError as error:
        raise ProtocolError(
            f"the connection closed {size - len(error.partial)} bytes short of the length "
            "the event declared"
        ) from error
