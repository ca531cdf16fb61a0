"""Live recognition over the browser WebSocket, from a Python WebSocket client."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from parley.audio.encode import encode_with_ffmpeg
from parley.audio.resample import resample
from parley.bench import live
from parley.bench.speech import RATE
from parley.evaluation.wer import word_error_rate
from tests.conftest import dev_speech
from tests.contract.conftest import STREAM_CAPACITY, Server, wait_until

SPEECH = dev_speech()
CONFIG = {
    "streamingConfig": {
        "config": {"encoding": "LINEAR16", "sampleRateHertz": RATE, "languageCode": "en-US"},
        "interimResults": True,
    }
}


def url(server: Server) -> str:
    return server.http.replace("http://", "ws://") + "/v1/speech:streamingrecognize"


class Received:
    """Every message the server sends, with when it came, read on a thread of its own."""

    def __init__(self, socket: ClientConnection) -> None:
        self.messages: list[tuple[float, dict[str, Any]]] = []
        self.close_code: int | None = None
        self.started = time.perf_counter()
        self._thread = threading.Thread(target=self._read, args=(socket,))
        self._thread.start()

    def _read(self, socket: ClientConnection) -> None:
        try:
            for message in socket:
                self.messages.append((time.perf_counter() - self.started, json.loads(message)))
        except ConnectionClosed:
            pass
        self.close_code = socket.close_code

    def wait(self) -> None:
        self._thread.join(120)

    def finals(self) -> list[dict[str, Any]]:
        return [r for _, m in self.messages for r in m.get("results", []) if r.get("isFinal")]

    def text(self) -> str:
        return " ".join(r["alternatives"][0]["transcript"] for r in self.finals())


def send_paced(socket: ClientConnection, data: bytes, seconds: float, received: Received) -> None:
    """`data` sent over `seconds`, a chunk every 100 ms: real-time pace when `seconds` is
    the audio's length."""
    chunks = max(1, round(seconds / live.CHUNK_SECONDS))
    step = -(-len(data) // chunks)
    for index in range(chunks):
        delay = received.started + index * live.CHUNK_SECONDS - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        socket.send(data[index * step : (index + 1) * step])
    socket.send(json.dumps({"end": True}))


@pytest.fixture(scope="module")
def track() -> live.Track:
    return live.build_track(SPEECH, 6)


def test_streams_real_speech_with_interim_and_final_results(
    server: Server, track: live.Track
) -> None:
    with connect(url(server)) as socket:
        socket.send(json.dumps(CONFIG))
        received = Received(socket)
        send_paced(socket, track.pcm, len(track.samples) / RATE, received)
        received.wait()
    assert received.close_code == 1000
    first_final = next(
        i for i, (_, m) in enumerate(received.messages) if m["results"][0].get("isFinal")
    )
    assert first_final > 0, "an interim result comes before the first final"
    assert word_error_rate([track.reference], [received.text()]).wer <= 0.1
    ends = [float(r["resultEndTime"].rstrip("s")) for r in received.finals()]
    assert ends == sorted(ends)
    assert all(any(abs(e - s.end) < 0.6 for s in track.spoken) for e in ends)
    sent_for = len(track.samples) / RATE
    assert received.messages[-1][0] < sent_for + 3.0  # it kept up


def test_streams_webm_opus_as_a_browser_records_it(server: Server, track: live.Track) -> None:
    """What is heard and when, not how soon: sent three times faster than real time (the
    test above keeps real-time pace)."""
    webm = encode_with_ffmpeg(resample(track.samples, RATE, 48000), 48000, "webm", "libopus")
    config = {"streamingConfig": {"config": {"encoding": "WEBM_OPUS", "languageCode": "en-US"}}}
    with connect(url(server)) as socket:
        socket.send(json.dumps(config))
        received = Received(socket)
        send_paced(socket, webm, len(track.samples) / RATE / 3, received)
        received.wait()
    assert received.close_code == 1000
    assert word_error_rate([track.reference], [received.text()]).wer <= 0.1
    ends = [float(r["resultEndTime"].rstrip("s")) for r in received.finals()]
    assert all(any(abs(e - s.end) < 0.6 for s in track.spoken) for e in ends), ends


def test_garbage_in_a_container_stream_is_refused(server: Server) -> None:
    config = {"streamingConfig": {"config": {"encoding": "OGG_OPUS", "languageCode": "en-US"}}}
    with connect(url(server)) as socket:
        socket.send(json.dumps(config))
        for _ in range(20):
            socket.send(bytes(range(256)) * 16)
        socket.send(json.dumps({"end": True}))
        error = json.loads(socket.recv(timeout=60))["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert "OGG_OPUS" in error["message"]


def test_a_bad_config_closes_with_a_google_error(server: Server) -> None:
    with connect(url(server)) as socket:
        socket.send(json.dumps({"streamingConfig": {"config": {"sampleRateHertz": 4000}}}))
        error = json.loads(socket.recv(timeout=30))["error"]
        with pytest.raises(ConnectionClosed):
            socket.recv(timeout=30)
    assert error["status"] == "INVALID_ARGUMENT"
    assert "sample_rate_hertz" in error["message"]
    assert socket.close_code == 1008


def test_text_that_is_not_a_request_is_refused(server: Server) -> None:
    with connect(url(server)) as socket:
        socket.send("hello")
        error = json.loads(socket.recv(timeout=30))["error"]
    assert error["code"] == 400
    assert "StreamingRecognizeRequest" in error["message"]


def test_an_oversized_frame_closes_with_1009(server: Server) -> None:
    with connect(url(server), max_size=None) as socket:
        socket.send(json.dumps(CONFIG))
        socket.send(b"\0" * (1024 * 1024))
        error = json.loads(socket.recv(timeout=30))["error"]
        with pytest.raises(ConnectionClosed):
            socket.recv(timeout=30)
    assert "limit" in error["message"]
    assert socket.close_code == 1009


def test_the_handshake_is_refused_with_429_when_full(server: Server) -> None:
    with contextlib.ExitStack() as held:
        for _ in range(STREAM_CAPACITY):
            socket = held.enter_context(connect(url(server)))
            socket.send(json.dumps(CONFIG))
            socket.send(b"\0" * 3200)
        wait_until(lambda: _open_streams(server) >= STREAM_CAPACITY, 30)
        with pytest.raises(InvalidStatus) as refused:
            connect(url(server))
        assert refused.value.response.status_code == 429


def _open_streams(server: Server) -> int:
    return int(httpx.get(f"{server.http}/healthz").json()["live_streams"])
