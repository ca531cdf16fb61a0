"""Many WaitOperation calls on one job hold no threads: sync requests, listing and the
health check stay quick meanwhile, and the job runs at its usual speed."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import grpc
import httpx
from google.cloud import speech_v1 as speech
from google.longrunning import operations_pb2
from google.protobuf import duration_pb2

from tests.conftest import clip
from tests.contract.conftest import Server, long_file

GOOD = clip("ps_goforward").path.read_bytes()
WAITERS = 60


def test_sixty_waiters_starve_nothing(
    server: Server, client: speech.SpeechClient, uploads: Path
) -> None:
    uri, _ = long_file(uploads, 120)
    operation = client.long_running_recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(uri=uri),
    )
    request = operations_pb2.WaitOperationRequest(
        name=operation.operation.name, timeout=duration_pb2.Duration(seconds=120)
    )
    channel = grpc.insecure_channel(server.grpc)
    wait_operation = channel.unary_unary(
        "/google.longrunning.Operations/WaitOperation",
        request_serializer=operations_pb2.WaitOperationRequest.SerializeToString,
        response_deserializer=operations_pb2.Operation.FromString,
    )
    finished: list[bool] = []

    def wait() -> None:
        finished.append(wait_operation(request, timeout=180).done)

    waiters = [threading.Thread(target=wait) for _ in range(WAITERS)]
    for waiter in waiters:
        waiter.start()
    started = time.monotonic()
    assert httpx.get(f"{server.http}/healthz", timeout=5).status_code == 200
    httpx.get(f"{server.http}/v1/operations", timeout=10).raise_for_status()
    response = client.recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=GOOD),
    )
    assert "forward" in response.results[0].alternatives[0].transcript.lower()
    assert time.monotonic() - started < 20
    for waiter in waiters:
        waiter.join(200)
    channel.close()
    assert finished == [True] * WAITERS
