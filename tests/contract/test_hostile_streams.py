"""Live streams that go quiet: they are ended (OUT_OF_RANGE, as Google ends them) and
give their place, and their worker, back; long-running jobs go on meanwhile."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from google.api_core import exceptions
from google.cloud import speech_v1 as speech
from websockets.sync.client import connect

from parley.audio.encode import encode_with_ffmpeg
from parley.audio.resample import resample
from parley.bench.procs import process_tree
from tests.conftest import clip
from tests.contract.conftest import STREAM_IDLE_SECONDS, Server, wait_until
from tests.contract.test_streaming import _refused, _wait_for_streams, streaming_config

GOOD = clip("ps_goforward").path.read_bytes()


_NEVER = threading.Event()  # never set: a client that holds its stream open, sending nothing


def _idle(seconds: float) -> Iterator[speech.StreamingRecognizeRequest]:
    yield speech.StreamingRecognizeRequest(audio_content=b"\0" * 3200)  # 0.1 s, then nothing
    _NEVER.wait(seconds)


def test_an_idle_grpc_stream_is_ended(client: speech.SpeechClient) -> None:
    started = time.monotonic()
    error = _refused(
        lambda: client.streaming_recognize(
            config=streaming_config(), requests=_idle(STREAM_IDLE_SECONDS * 4)
        )
    )
    assert isinstance(error, exceptions.OutOfRange)
    assert "no audio" in error.message
    assert time.monotonic() - started < STREAM_IDLE_SECONDS + 4


def test_an_idle_websocket_is_ended(server: Server) -> None:
    url = server.http.replace("http://", "ws://") + "/v1/speech:streamingrecognize"
    config = {"streamingConfig": {"config": {"encoding": "LINEAR16", "sampleRateHertz": 16000}}}
    with connect(url) as socket:
        socket.send(json.dumps(config))
        reply = json.loads(socket.recv(timeout=STREAM_IDLE_SECONDS + 10))
    assert reply["error"]["status"] == "OUT_OF_RANGE"


def test_idle_streams_do_not_stop_long_running_jobs(
    server: Server, client: speech.SpeechClient
) -> None:
    # Two workers, each kept from long jobs by an open stream, until the streams are ended.
    ended: list[BaseException] = []

    def hold(stream_client: speech.SpeechClient) -> None:
        try:
            list(stream_client.streaming_recognize(config=streaming_config(), requests=_idle(120)))
        except exceptions.GoogleAPICallError as error:
            ended.append(error)

    threads = [threading.Thread(target=hold, args=(server.grpc_client(),)) for _ in range(2)]
    for thread in threads:
        thread.start()
    _wait_for_streams(server, 2)
    operation = client.long_running_recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=GOOD),
    )
    response = operation.result(timeout=STREAM_IDLE_SECONDS + 60)
    assert "forward" in response.results[0].alternatives[0].transcript.lower()
    for thread in threads:
        thread.join(30)
    assert [type(e) for e in ended] == [exceptions.OutOfRange] * 2
    _wait_for_streams(server, 0)


def test_a_crash_of_a_streams_decoder_ends_only_that_stream(server: Server) -> None:
    """A container stream is decoded in a child process: a native crash there (forced
    here with SIGSEGV) ends the stream with an error, and the server goes on."""
    url = server.http.replace("http://", "ws://") + "/v1/speech:streamingrecognize"
    webm = encode_with_ffmpeg(
        resample(clip("ps_goforward").samples(), 16000, 48000), 48000, "webm", "libopus"
    )
    config = {"streamingConfig": {"config": {"encoding": "WEBM_OPUS", "languageCode": "en-US"}}}
    with connect(url) as socket:
        socket.send(json.dumps(config))
        socket.send(webm[: len(webm) // 2])

        def decoders() -> list[int]:
            return [
                pid
                for pid in process_tree(server.process.pid)
                if b"stream_child" in Path(f"/proc/{pid}/cmdline").read_bytes()
            ]

        wait_until(decoders, 10)
        os.kill(decoders()[0], signal.SIGSEGV)
        reply = json.loads(socket.recv(timeout=30))
    assert reply["error"]["status"] == "INVALID_ARGUMENT"
    assert "crashed its decoder" in reply["error"]["message"]
    assert server.ready()
