"""Every handler's errors end here, as a gRPC status with `google.rpc.Status` details."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc
from grpc_status import rpc_status

from parley.api.google.errors import internal_status, to_status
from parley.api.grpc.messages import checked
from parley.errors import ParleyError

logger = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[Any, Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[T]]


def google_errors(handler: Handler[T]) -> Handler[T]:
    @functools.wraps(handler)
    async def wrapped(self: Any, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> T:
        try:
            return await handler(self, checked(request), context)
        except Exception as error:
            await abort(context, error, handler.__name__)
        raise AssertionError("abort_with_status returns only by raising")

    return wrapped


async def abort(context: grpc.aio.ServicerContext[Any, Any], error: Exception, method: str) -> None:
    """End the call with the status for `error` (raises, as `abort_with_status` does)."""
    if isinstance(error, ParleyError):
        await context.abort_with_status(rpc_status.to_status(to_status(error)))
    logger.error("%s failed", method, exc_info=error)
    # INTERNAL, never UNAVAILABLE: clients retry UNAVAILABLE for a very long time.
    await context.abort_with_status(rpc_status.to_status(internal_status("internal error")))
