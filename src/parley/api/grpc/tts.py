"""google.cloud.texttospeech.v1.TextToSpeech over gRPC, served like Speech: a generic
handler on the client library's message classes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from google.cloud.texttospeech_v1 import (
    ListVoicesRequest,
    ListVoicesResponse,
    StreamingSynthesizeRequest,
    StreamingSynthesizeResponse,
    SynthesizeSpeechRequest,
    SynthesizeSpeechResponse,
)

from parley.api.google.tts import GoogleTextToSpeech
from parley.api.grpc.auth import grpc_caller
from parley.api.grpc.errors import abort, google_errors
from parley.api.grpc.messages import checked_stream, parser
from parley.services.access import AccessService

SERVICE = "google.cloud.texttospeech.v1.TextToSpeech"


class TextToSpeechServicer:
    def __init__(self, tts: GoogleTextToSpeech, access: AccessService) -> None:
        self._tts = tts
        self._access = access

    @google_errors
    async def list_voices(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        await grpc_caller(self._access, context)
        return self._tts.list_voices(request)

    @google_errors
    async def synthesize_speech(
        self, request: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> Any:
        caller = await grpc_caller(self._access, context)
        return await self._tts.synthesize(request, caller)

    async def streaming_synthesize(
        self, requests: AsyncIterator[Any], context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[Any]:
        try:
            caller = await grpc_caller(self._access, context)
            async for response in self._tts.streaming_synthesize(checked_stream(requests), caller):
                yield response
        except Exception as error:
            await abort(context, error, "StreamingSynthesize")

    def handler(self) -> grpc.GenericRpcHandler:
        return grpc.method_handlers_generic_handler(
            SERVICE,
            {
                "ListVoices": grpc.unary_unary_rpc_method_handler(
                    self.list_voices,
                    request_deserializer=parser(ListVoicesRequest.pb()),
                    response_serializer=ListVoicesResponse.pb().SerializeToString,
                ),
                "SynthesizeSpeech": grpc.unary_unary_rpc_method_handler(
                    self.synthesize_speech,
                    request_deserializer=parser(SynthesizeSpeechRequest.pb()),
                    response_serializer=SynthesizeSpeechResponse.pb().SerializeToString,
                ),
                "StreamingSynthesize": grpc.stream_stream_rpc_method_handler(
                    self.streaming_synthesize,
                    request_deserializer=parser(StreamingSynthesizeRequest.pb()),
                    response_serializer=StreamingSynthesizeResponse.pb().SerializeToString,
                ),
            },
        )
