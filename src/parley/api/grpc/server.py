"""The gRPC server: Speech, TextToSpeech, Operations and the standard health service."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from parley.api.google.speech import GoogleSpeech
from parley.api.google.tts import GoogleTextToSpeech
from parley.api.grpc import operations, tts
from parley.api.grpc.observe import Observe
from parley.api.grpc.speech import SERVICE, SpeechServicer
from parley.api.metrics import Metrics
from parley.services.access import AccessService

# Google accepts 10 MB sync requests; leave room for the rest of the message.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def create_grpc_server(
    speech: GoogleSpeech, synthesis: GoogleTextToSpeech, access: AccessService, metrics: Metrics
) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    server = grpc.aio.server(
        interceptors=[Observe(metrics)],
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            # A port another server holds is an error, not a port shared with it.
            ("grpc.so_reuseport", 0),
        ],
    )
    server.add_generic_rpc_handlers(
        (
            SpeechServicer(speech, access).handler(),
            tts.TextToSpeechServicer(synthesis, access).handler(),
        )
    )
    operations.add_to_server(speech, access, server)
    checker = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(checker, server)
    return server, checker


async def set_serving(checker: health.aio.HealthServicer, serving: bool) -> None:
    status = (
        health_pb2.HealthCheckResponse.SERVING
        if serving
        else health_pb2.HealthCheckResponse.NOT_SERVING
    )
    for service in ("", SERVICE, tts.SERVICE):
        await checker.set(service, status)
