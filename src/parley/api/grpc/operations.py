"""google.longrunning.Operations over gRPC, for the Speech operations."""

from __future__ import annotations

from typing import Any

import grpc
from google.longrunning import operations_pb2
from google.protobuf import empty_pb2

from parley.api.google.speech import GoogleSpeech
from parley.api.grpc.auth import grpc_caller
from parley.api.grpc.errors import google_errors
from parley.api.grpc.messages import parser
from parley.services.access import AccessService

SERVICE = "google.longrunning.Operations"


class OperationsServicer:
    def __init__(self, speech: GoogleSpeech, access: AccessService) -> None:
        self._speech = speech
        self._access = access

    @google_errors
    async def GetOperation(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        caller = await grpc_caller(self._access, context)
        return await self._speech.get_operation(request.name, caller)

    @google_errors
    async def ListOperations(
        self, request: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> Any:
        caller = await grpc_caller(self._access, context)
        return await self._speech.list_operations(
            request.filter, request.page_size, request.page_token, caller
        )

    @google_errors
    async def CancelOperation(
        self, request: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> Any:
        caller = await grpc_caller(self._access, context)
        await self._speech.cancel_operation(request.name, caller)
        return empty_pb2.Empty()

    @google_errors
    async def DeleteOperation(
        self, request: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> Any:
        caller = await grpc_caller(self._access, context)
        await self._speech.delete_operation(request.name, caller)
        return empty_pb2.Empty()

    @google_errors
    async def WaitOperation(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        caller = await grpc_caller(self._access, context)
        timeout = (
            request.timeout.ToTimedelta().total_seconds() if request.HasField("timeout") else 0.0
        )
        return await self._speech.wait_operation(request.name, timeout, caller)


_METHODS = {
    "GetOperation": (operations_pb2.GetOperationRequest, operations_pb2.Operation),
    "ListOperations": (
        operations_pb2.ListOperationsRequest,
        operations_pb2.ListOperationsResponse,
    ),
    "CancelOperation": (operations_pb2.CancelOperationRequest, empty_pb2.Empty),
    "DeleteOperation": (operations_pb2.DeleteOperationRequest, empty_pb2.Empty),
    "WaitOperation": (operations_pb2.WaitOperationRequest, operations_pb2.Operation),
}


def add_to_server(speech: GoogleSpeech, access: AccessService, server: grpc.aio.Server) -> None:
    """The generated registration would parse requests with gRPC's own deserializer."""
    servicer = OperationsServicer(speech, access)
    handlers = {
        name: grpc.unary_unary_rpc_method_handler(
            getattr(servicer, name),
            request_deserializer=parser(request),
            response_serializer=response.SerializeToString,
        )
        for name, (request, response) in _METHODS.items()
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
