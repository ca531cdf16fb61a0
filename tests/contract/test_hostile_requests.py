"""Requests built to hurt the server or confuse it: each gets its own status (never
INTERNAL, UNKNOWN or 500), in bounded time, and the server keeps serving."""

from __future__ import annotations

import base64
import socket
import time
from urllib.parse import urlsplit

import grpc
import httpx
import pytest
from google.api_core import exceptions
from google.cloud import speech_v1 as speech
from google.cloud.speech_v1 import RecognizeRequest
from google.longrunning import operations_pb2
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import clip
from tests.contract.conftest import BODY_TIMEOUT_SECONDS, Server
from tests.contract.test_errors import INVALID, _violated_fields

GOOD = clip("ps_goforward").path.read_bytes()
RECOGNIZE = "/google.cloud.speech.v1.Speech/Recognize"


def _raw_call(server: Server, method: str, payload: bytes) -> grpc.RpcError:
    with grpc.insecure_channel(server.grpc) as channel:
        call = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
        with pytest.raises(grpc.RpcError) as error:
            call(payload, timeout=30)
    return error.value


def test_an_unknown_encoding_is_invalid(server: Server) -> None:
    request = RecognizeRequest.pb()()
    request.config.encoding = 999
    request.config.language_code = "en-US"
    request.audio.content = GOOD
    error = _raw_call(server, RECOGNIZE, request.SerializeToString())
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "encoding" in (error.details() or "")


@pytest.mark.parametrize(
    "method", [RECOGNIZE, "/google.longrunning.Operations/GetOperation"], ids=["speech", "ops"]
)
def test_bytes_that_are_not_the_message_are_invalid(server: Server, method: str) -> None:
    error = _raw_call(server, method, b"\xff\xff\xff\xff garbage")
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT


def test_a_huge_page_token_is_invalid(server: Server) -> None:
    reply = httpx.get(f"{server.http}/v1/operations", params={"pageToken": "9" * 20})
    assert reply.status_code == 400
    with grpc.insecure_channel(server.grpc) as channel:
        stub = channel.unary_unary(
            "/google.longrunning.Operations/ListOperations",
            request_serializer=operations_pb2.ListOperationsRequest.SerializeToString,
            response_deserializer=operations_pb2.ListOperationsResponse.FromString,
        )
        with pytest.raises(grpc.RpcError) as error:
            stub(operations_pb2.ListOperationsRequest(page_token="9" * 20), timeout=30)
    assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT


def test_a_huge_language_code_stays_invalid_argument(any_client: speech.SpeechClient) -> None:
    with pytest.raises(INVALID) as error:
        any_client.recognize(
            config=speech.RecognitionConfig(language_code="x" * 10_000),
            audio=speech.RecognitionAudio(content=GOOD),
        )
    assert len(error.value.message) < 700  # cut to 500, after the REST client's URL prefix


def test_negative_alternatives_are_invalid(any_client: speech.SpeechClient) -> None:
    with pytest.raises(INVALID) as error:
        any_client.recognize(
            config=speech.RecognitionConfig(language_code="en-US", max_alternatives=-1),
            audio=speech.RecognitionAudio(content=GOOD),
        )
    assert _violated_fields(error.value) == ["config.max_alternatives"]


def _classes(count: int, items: int, phrase: str) -> speech.SpeechAdaptation:
    return speech.SpeechAdaptation(
        custom_classes=[
            speech.CustomClass(
                custom_class_id=f"c{i}",
                items=[speech.CustomClass.ClassItem(value=f"w{i}x{j}") for j in range(items)],
            )
            for i in range(count)
        ],
        phrase_sets=[speech.PhraseSet(phrases=[speech.PhraseSet.Phrase(value=phrase, boost=5)])],
    )


ADAPTATIONS = {
    "classes that multiply": _classes(5, 50, "${c0} ${c1} ${c2} ${c3} ${c4}"),
    "a class twice": _classes(1, 50, "${c0}${c0}"),
    "a class that refers to itself": speech.SpeechAdaptation(
        custom_classes=[
            speech.CustomClass(
                custom_class_id="a", items=[speech.CustomClass.ClassItem(value="x ${a}")]
            )
        ],
        phrase_sets=[speech.PhraseSet(phrases=[speech.PhraseSet.Phrase(value="${a}")])],
    ),
}


@pytest.mark.parametrize("case", list(ADAPTATIONS))
def test_custom_class_explosions_are_refused_at_once(
    any_client: speech.SpeechClient, case: str
) -> None:
    started = time.monotonic()
    with pytest.raises(INVALID) as error:
        any_client.recognize(
            config=speech.RecognitionConfig(language_code="en-US", adaptation=ADAPTATIONS[case]),
            audio=speech.RecognitionAudio(content=GOOD),
        )
    assert time.monotonic() - started < 2
    assert _violated_fields(error.value) == ["config.adaptation.phrase_sets"]


def test_a_million_phrases_are_refused(server: Server) -> None:
    body = (
        b'{"config": {"languageCode": "en-US", "speechContexts": [{"phrases": ['
        + b",".join([b'"ab"'] * 1_000_000)
        + b']}]}, "audio": {"content": "'
        + base64.b64encode(GOOD)
        + b'"}}'
    )
    reply = httpx.post(
        f"{server.http}/v1/speech:recognize",
        content=body,
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert reply.status_code == 400
    assert "config.speech_contexts" in reply.text


def test_json_routes_take_only_json(server: Server) -> None:
    url = f"{server.http}/v1/speech:longrunningrecognize"
    # A browser posts text/plain across origins without asking first (CSRF).
    reply = httpx.post(url, content=b'{"config": {}}', headers={"content-type": "text/plain"})
    assert reply.status_code == 415
    reply = httpx.post(url, content=GOOD, headers={"content-type": "audio/wav"})
    assert reply.status_code == 415
    reply = httpx.post(url, content=GOOD, headers={"content-type": "application/json"})
    assert reply.status_code == 400
    assert reply.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_an_announced_oversized_body_is_refused_before_it_is_sent(server: Server) -> None:
    reply = _raw_http(
        server,
        b"POST /v1/speech:recognize HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 200000000\r\n\r\n",
    )
    assert reply.startswith(b"HTTP/1.1 400")  # Google's status for it


def test_a_body_that_never_finishes_times_out(server: Server) -> None:
    started = time.monotonic()
    reply = _raw_http(
        server,
        b"POST /v1/speech:recognize HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"config"',
    )
    assert reply.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < BODY_TIMEOUT_SECONDS + 5


def _raw_http(server: Server, request: bytes) -> bytes:
    address = urlsplit(server.http)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(request)
        return connection.recv(65536)


def test_chunked_bodies_are_cut_at_the_limit(server: Server) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"config": {"languageCode": "en-US"}, "audio": {"content": "'
        for _ in range(40):
            yield b"A" * 1_000_000

    reply = httpx.post(
        f"{server.http}/v1/speech:recognize",
        content=chunks(),
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert reply.status_code == 400
    assert "exceeds the limit" in reply.json()["error"]["message"]


def test_still_serving(any_client: speech.SpeechClient) -> None:
    response = any_client.recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=GOOD),
    )
    assert "forward" in response.results[0].alternatives[0].transcript.lower()
    with pytest.raises(exceptions.NotFound):
        any_client.transport.operations_client.get_operation("123")  # type: ignore[attr-defined]


def test_only_loopback_host_names_are_served(server: Server) -> None:
    port = urlsplit(server.http).port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert httpx.get(f"{server.http}/healthz", headers={"host": host}).status_code == 200
    # DNS rebinding: a page of evil.example whose name was made to resolve to 127.0.0.1.
    reply = httpx.get(f"{server.http}/v1/transcriptions", headers={"host": "evil.example"})
    assert reply.status_code == 403
    assert reply.json()["error"]["status"] == "PERMISSION_DENIED"


def test_pages_of_other_origins_get_no_cors_and_no_websocket(server: Server) -> None:
    preflight = httpx.options(
        f"{server.http}/v1/speech:longrunningrecognize",
        headers={
            "origin": "https://evil.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert "access-control-allow-origin" not in preflight.headers
    url = server.http.replace("http://", "ws://") + "/v1/speech:streamingrecognize"
    for origin in ("https://evil.example", "null"):
        with pytest.raises(InvalidStatus) as refused:
            connect(url, origin=origin).close()  # type: ignore[arg-type]
        assert refused.value.response.status_code == 403
    with connect(url, origin=server.http):  # type: ignore[arg-type]  # Parley's own page
        pass
