"""google.cloud.speech.v1.Speech over gRPC. No service descriptor ships with the client
library, so the methods are served by a generic handler on the message classes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from google.cloud.speech_v1 import (
    LongRunningRecognizeRequest,
    RecognizeRequest,
    RecognizeResponse,
    StreamingRecognizeRequest,
    StreamingRecognizeResponse,
)
from google.longrunning import operations_pb2

from parley.api.google.speech import GoogleSpeech
from parley.api.grpc.auth import grpc_caller
from parley.api.grpc.errors import abort, google_errors
from parley.api.grpc.messages import checked_stream, parser
from parley.services.access import AccessService

SERVICE = "google.cloud.speech.v1.Speech"


class SpeechServicer:
    def __init__(self, speech: GoogleSpeech, access: AccessService) -> None:
        self._speech = speech
        self._access = access

    @google_errors
    async def recognize(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        caller = await grpc_caller(self._access, context)
        return await self._speech.recognize(request, caller)

    @google_errors
    async def long_running_recognize(
        self, request: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> Any:
        caller = await grpc_caller(self._access, context)
        return await self._speech.long_running_recognize(request, caller)

    async def streaming_recognize(
        self, requests: AsyncIterator[Any], context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[Any]:
        try:
            caller = await grpc_caller(self._access, context)
            responses = self._speech.streaming_recognize(checked_stream(requests), caller)
            async for response in responses:
                yield response
        except Exception as error:
            await abort(context, error, "StreamingRecognize")

    def handler(self) -> grpc.GenericRpcHandler:
        return grpc.method_handlers_generic_handler(
            SERVICE,
            {
                "Recognize": grpc.unary_unary_rpc_method_handler(
                    self.recognize,
                    request_deserializer=parser(RecognizeRequest.pb()),
                    response_serializer=RecognizeResponse.pb().SerializeToString,
                ),
                "StreamingRecognize": grpc.stream_stream_rpc_method_handler(
                    self.streaming_recognize,
                    request_deserializer=parser(StreamingRecognizeRequest.pb()),
                    response_serializer=StreamingRecognizeResponse.pb().SerializeToString,
                ),
                "LongRunningRecognize": grpc.unary_unary_rpc_method_handler(
                    self.long_running_recognize,
                    request_deserializer=parser(LongRunningRecognizeRequest.pb()),
                    response_serializer=operations_pb2.Operation.SerializeToString,
                ),
            },
        )
