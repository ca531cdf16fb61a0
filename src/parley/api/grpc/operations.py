"""google.longrunning.Operations over gRPC, for the Speech operations."""

from __future__ import annotations

from typing import Any

import grpc
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import empty_pb2

from parley.api.google.speech import GoogleSpeech
from parley.api.grpc.errors import google_errors


class OperationsServicer(operations_pb2_grpc.OperationsServicer):  # type: ignore[misc]
    def __init__(self, speech: GoogleSpeech) -> None:
        self._speech = speech

    @google_errors
    async def GetOperation(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        return await self._speech.get_operation(request.name)

    @google_errors
    async def ListOperations(
        self, request: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> Any:
        return await self._speech.list_operations(
            request.filter, request.page_size, request.page_token
        )

    @google_errors
    async def CancelOperation(
        self, request: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> Any:
        await self._speech.cancel_operation(request.name)
        return empty_pb2.Empty()

    @google_errors
    async def DeleteOperation(
        self, request: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> Any:
        await self._speech.delete_operation(request.name)
        return empty_pb2.Empty()

    @google_errors
    async def WaitOperation(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        timeout = (
            request.timeout.ToTimedelta().total_seconds() if request.HasField("timeout") else 0.0
        )
        return await self._speech.wait_operation(request.name, timeout)


def add_to_server(speech: GoogleSpeech, server: grpc.aio.Server) -> None:
    operations_pb2_grpc.add_OperationsServicer_to_server(OperationsServicer(speech), server)


__all__ = ["add_to_server", "operations_pb2"]
