"""Every gRPC call: a request id (x-request-id metadata, kept from the client when plain,
sent back as initial metadata), one access-log line, and its metrics."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from parley.api import request_id
from parley.api.http.observe import access_log
from parley.api.metrics import Metrics

Context = grpc.aio.ServicerContext[Any, Any]


class Observe(grpc.aio.ServerInterceptor):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def intercept_service(  # type: ignore[override]  # the stub is generic per call
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any]]
        ],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        handler = await continuation(details)
        if handler is None:
            return handler
        method = details.method
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._unary(handler.unary_unary, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.stream_stream is not None:
            return grpc.stream_stream_rpc_method_handler(
                self._streaming(handler.stream_stream, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler  # the health service's server streaming: not observed

    def _unary(self, behavior: Any, method: str) -> Any:
        async def observed(request: Any, context: Context) -> Any:
            started = await self._start(context)
            try:
                return await behavior(request, context)
            finally:
                self._done(method, context, started)

        return observed

    def _streaming(self, behavior: Any, method: str) -> Any:
        async def observed(requests: Any, context: Context) -> AsyncIterator[Any]:
            started = await self._start(context)
            try:
                async for response in behavior(requests, context):
                    yield response
            finally:
                self._done(method, context, started)

        return observed

    @staticmethod
    async def _start(context: Context) -> float:
        offered = dict(context.invocation_metadata() or ()).get("x-request-id")
        rid = request_id.start(offered if isinstance(offered, str) else None)
        await context.send_initial_metadata((("x-request-id", rid),))
        return time.perf_counter()

    def _done(self, method: str, context: Context, started: float) -> None:
        seconds = time.perf_counter() - started
        code = context.code()
        status = "OK" if code is None else getattr(code, "name", str(code))
        self._metrics.request("grpc", method, status, seconds)
        access_log.info("grpc %s %s %.3fs id=%s", method, status, seconds, request_id.current())
