"""Request messages parsed so that bytes which are not the message become INVALID_ARGUMENT
(gRPC's own deserializer failure is UNKNOWN/INTERNAL, a status for server faults)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import DecodeError

from parley.errors import InvalidArgument


@dataclass(frozen=True)
class Undecodable:
    """Stands for a request that could not be parsed; handlers refuse it."""

    type_name: str


def parser(message_class: Any) -> Callable[[bytes], Any]:
    def parse(data: bytes) -> Any:
        try:
            return message_class.FromString(data)
        except (DecodeError, ValueError, RecursionError):
            return Undecodable(message_class.DESCRIPTOR.full_name)

    return parse


def checked(request: Any) -> Any:
    if isinstance(request, Undecodable):
        raise InvalidArgument(f"the request is not a valid {request.type_name} message")
    return request


async def checked_stream(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for request in requests:
        yield checked(request)
