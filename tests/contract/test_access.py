"""API keys in every protocol, and tenancy: a key sees only what it made; an admin key
sees everything. Against a real server that requires keys, with the official clients."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import grpc
import httpx
import pytest
from google.api_core import exceptions
from google.api_core.client_options import ClientOptions
from google.cloud import speech_v1 as speech
from google.cloud.speech_v1.services.speech.transports import SpeechGrpcTransport
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import assert_heard, clip
from tests.contract.conftest import Server, create_key, wait_until
from tests.contract.test_hostile_requests import _raw_http

GOOD = clip("ps_goforward").path.read_bytes()
CONFIG = speech.RecognitionConfig(language_code="en-US")
AUDIO = speech.RecognitionAudio(content=GOOD)


def grpc_client(server: Server, key: str | None = None) -> speech.SpeechClient:
    """With a key, every call of the client carries it (operation polling included), as
    `authorization: Bearer`: call credentials over a loopback channel, as the README shows."""
    if key is None:
        return server.grpc_client()
    credentials = grpc.composite_channel_credentials(
        grpc.local_channel_credentials(), grpc.access_token_call_credentials(key)
    )
    channel = grpc.secure_channel(server.grpc, credentials)
    return speech.SpeechClient(transport=SpeechGrpcTransport(channel=channel))


def rest_client(server: Server, key: str | None) -> speech.SpeechClient:
    return speech.SpeechClient(
        transport="rest",
        client_options=ClientOptions(api_endpoint=server.http, api_key=key),
    )


def meta(key: str, how: str = "x-goog-api-key") -> list[tuple[str, str]]:
    return (
        [("x-goog-api-key", key)]
        if how == "x-goog-api-key"
        else [("authorization", f"Bearer {key}")]
    )


def test_no_key_or_a_wrong_one_is_unauthenticated(keyed: tuple[Server, dict[str, str]]) -> None:
    server, _ = keyed
    client = grpc_client(server)
    with pytest.raises(exceptions.Unauthenticated):
        client.recognize(config=CONFIG, audio=AUDIO)
    with pytest.raises(exceptions.Unauthenticated):
        client.recognize(config=CONFIG, audio=AUDIO, metadata=meta("pk_wrong"))
    reply = httpx.post(f"{server.http}/v1/speech:recognize", json={})
    assert reply.status_code == 401
    assert reply.json()["error"]["status"] == "UNAUTHENTICATED"
    assert (
        httpx.get(f"{server.http}/v1/transcriptions", params={"key": "pk_wrong"}).status_code == 401
    )
    with pytest.raises(exceptions.Unauthorized):
        rest_client(server, "pk_wrong").recognize(config=CONFIG, audio=AUDIO)
    assert httpx.get(f"{server.http}/healthz").status_code == 200


def test_an_unauthenticated_body_is_not_read(keyed: tuple[Server, dict[str, str]]) -> None:
    server, _ = keyed
    # 100 MB announced and never sent: the refusal comes before any of it is read.
    reply = _raw_http(
        server,
        b"POST /v1/speech:recognize HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n",
    )
    assert reply.startswith(b"HTTP/1.1 401")


@pytest.mark.parametrize("how", ["x-goog-api-key", "bearer"])
def test_keys_over_grpc(keyed: tuple[Server, dict[str, str]], how: str) -> None:
    server, keys = keyed
    response = grpc_client(server).recognize(
        config=CONFIG, audio=AUDIO, metadata=meta(keys["alice"], how)
    )
    assert "forward" in response.results[0].alternatives[0].transcript.lower()


def test_keys_over_rest(keyed: tuple[Server, dict[str, str]]) -> None:
    server, keys = keyed
    response = rest_client(server, keys["alice"]).recognize(config=CONFIG, audio=AUDIO)
    assert "forward" in response.results[0].alternatives[0].transcript.lower()
    for how in ({"authorization": f"Bearer {keys['alice']}"}, {"x-goog-api-key": keys["alice"]}):
        assert httpx.get(f"{server.http}/v1/transcriptions", headers=how).status_code == 200
    assert (
        httpx.get(f"{server.http}/v1/transcriptions", params={"key": keys["alice"]}).status_code
        == 200
    )


def _ws(server: Server) -> str:
    return server.http.replace("http://", "ws://") + "/v1/speech:streamingrecognize"


STREAM = {
    "streamingConfig": {
        "config": {"encoding": "LINEAR16", "sampleRateHertz": 16000, "languageCode": "en-US"}
    }
}


def test_keys_over_the_websocket(keyed: tuple[Server, dict[str, str]]) -> None:
    server, keys = keyed
    with pytest.raises(InvalidStatus) as refused:
        connect(_ws(server) + "?key=pk_wrong").close()
    assert refused.value.response.status_code == 401
    for url, first in (
        (_ws(server), [json.dumps({"key": keys["carol"]})]),  # a browser: key in the first message
        (_ws(server) + f"?key={keys['carol']}", []),
    ):
        with connect(url) as socket:
            for message in [*first, json.dumps(STREAM)]:
                socket.send(message)
            socket.send(GOOD[44:])
            socket.send(json.dumps({"end": True}))
            replies = [json.loads(m) for m in socket]
        text = " ".join(
            r["alternatives"][0]["transcript"] for m in replies for r in m.get("results", [])
        )
        assert_heard(text, "go forward ten meters")
    with connect(_ws(server)) as socket:
        socket.send(json.dumps({"key": "pk_wrong"}))
        error = json.loads(socket.recv(timeout=30))
    assert error["error"]["status"] == "UNAUTHENTICATED"


def test_each_key_sees_only_its_own(keyed: tuple[Server, dict[str, str]]) -> None:
    server, keys = keyed
    client = grpc_client(server, keys["alice"])
    alice, bob, root = meta(keys["alice"]), meta(keys["bob"]), meta(keys["root"])
    operation = client.long_running_recognize(config=CONFIG, audio=AUDIO)
    operation.result(timeout=120)
    name = operation.operation.name
    ops = client.transport.operations_client
    assert ops.get_operation(name, metadata=alice).done
    with pytest.raises(exceptions.NotFound):
        ops.get_operation(name, metadata=bob)
    with pytest.raises(exceptions.NotFound):
        ops.cancel_operation(name, metadata=bob)
    with pytest.raises(exceptions.NotFound):
        ops.delete_operation(name, metadata=bob)
    assert name not in [o.name for o in ops.list_operations("", "", metadata=bob)]
    assert name in [o.name for o in ops.list_operations("", "", metadata=root)]

    def history(key: str) -> list[str]:
        reply = httpx.get(f"{server.http}/v1/transcriptions", headers={"x-goog-api-key": key})
        return [t["id"] for t in reply.json()["transcriptions"]]

    mine = history(keys["alice"])
    assert mine
    assert not set(mine) & set(history(keys["bob"]))
    assert set(mine) <= set(history(keys["root"]))
    record = mine[0]
    for path in (f"/v1/transcriptions/{record}", f"/v1/transcriptions/{record}/audio"):
        assert (
            httpx.get(server.http + path, headers={"x-goog-api-key": keys["bob"]}).status_code
            == 404
        )
        assert (
            httpx.get(server.http + path, headers={"x-goog-api-key": keys["root"]}).status_code
            == 200
        )
    url = f"{server.http}/v1/transcriptions/{record}"
    assert httpx.delete(url, headers={"x-goog-api-key": keys["bob"]}).status_code == 404
    assert httpx.delete(url, headers={"x-goog-api-key": keys["alice"]}).status_code == 200


def test_a_revoked_key_stops_working(keyed: tuple[Server, dict[str, str]]) -> None:
    server, _ = keyed
    key = create_key(server.data_dir, "dave")
    headers = {"x-goog-api-key": key}
    assert httpx.get(f"{server.http}/v1/transcriptions", headers=headers).status_code == 200
    subprocess.run(
        [
            sys.executable,
            "-m",
            "parley",
            "--data-dir",
            str(server.data_dir),
            "keys",
            "revoke",
            "dave",
        ],
        check=True,
        capture_output=True,
    )
    wait_until(
        lambda: httpx.get(f"{server.http}/v1/transcriptions", headers=headers).status_code == 401,
        15,
    )


def test_a_network_address_without_keys_refuses_to_start(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "parley", "--data-dir", str(tmp_path), "serve", "--host", "0.0.0.0"],  # noqa: S104
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "parley keys create" in done.stderr
    assert "--insecure-no-keys" in done.stderr


def test_grpc_channel_without_credentials_is_refused_by_status(
    keyed: tuple[Server, dict[str, str]],
) -> None:
    server, _ = keyed
    with grpc.insecure_channel(server.grpc) as channel:
        call = channel.unary_unary("/google.longrunning.Operations/ListOperations")
        with pytest.raises(grpc.RpcError) as error:
            call(b"", timeout=30)
    assert error.value.code() is grpc.StatusCode.UNAUTHENTICATED


def test_wyoming_where_keys_are_required_needs_saying_so(tmp_path: Path) -> None:
    """Wyoming has no keys: a server that requires them serves it only when told to."""
    create_key(tmp_path, "someone")
    command = [sys.executable, "-m", "parley", "--data-dir", str(tmp_path), "serve"]
    command += ["--require-keys", "--wyoming-port", "0", "--http-port", "0", "--grpc-port", "0"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "PARLEY_WYOMING_WITHOUT_KEYS=true" in done.stderr
