"""A real `parley serve` on ephemeral ports, and the official Google clients pointed at it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
import pytest
import soundfile as sf
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import speech_v1
from google.cloud.speech_v1.services.speech.transports import SpeechGrpcTransport

from parley.bench.speech import load_speech_set, long_audio

DATA = Path(__file__).resolve().parents[1] / "data"
_LISTENING = re.compile(r"HTTP on (http://\S+) and gRPC on (\S+)")


@dataclass
class Server:
    process: subprocess.Popen[str]
    http: str
    grpc: str
    data_dir: Path

    def grpc_client(self) -> speech_v1.SpeechClient:
        channel = grpc.insecure_channel(
            self.grpc, options=[("grpc.max_send_message_length", 32 * 1024 * 1024)]
        )
        return speech_v1.SpeechClient(transport=SpeechGrpcTransport(channel=channel))

    def rest_client(self) -> speech_v1.SpeechClient:
        return speech_v1.SpeechClient(
            credentials=AnonymousCredentials(),
            transport="rest",
            client_options=ClientOptions(api_endpoint=self.http),
        )

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 90) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        return self.process.wait(timeout)


def start_server(data_dir: Path, uploads: Path, **env: str) -> Server:
    """`uploads`: a second folder file:// URIs may name (tests write long audio there)."""
    command = [sys.executable, "-m", "parley", "--data-dir", str(data_dir), "serve"]
    command += ["--http-port", "0", "--grpc-port", "0"]
    command += ["--audio-dir", str(DATA), "--audio-dir", str(uploads)]
    log = data_dir / "server.log"
    seen = log.stat().st_size if log.exists() else 0  # a restarted server appends to it
    with log.open("a") as output:
        process = subprocess.Popen(
            command,
            env={**os.environ, "PARLEY_WORKERS": "2", **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    found: list[re.Match[str]] = []

    def listening() -> bool:
        assert process.poll() is None, f"parley serve exited: {log.read_text()}"
        found[:] = list(_LISTENING.finditer(log.read_text()[seen:]))
        return bool(found)

    wait_until(listening, 60)
    match = found[0]
    server = Server(process, match.group(1), match.group(2), data_dir)
    wait_until(lambda: httpx.get(f"{server.http}/healthz").status_code == 200, 180)
    return server


def wait_until(condition: object, seconds: float, every: float = 0.2) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():  # type: ignore[operator]
                return
        except httpx.HTTPError:
            pass
        time.sleep(every)
    raise AssertionError(f"condition not met within {seconds} s")


@pytest.fixture(scope="session")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, uploads: Path) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("server"), uploads)
    yield running
    assert running.stop() == 0


def long_file(uploads: Path, seconds: float) -> tuple[str, str]:
    """A WAV of the dev clips looped to `seconds`; returns its file:// URI and reference."""
    path = uploads / f"long_{seconds:.0f}.wav"
    speech = load_speech_set(DATA / "speech")
    samples, used = long_audio(speech, seconds)
    if not path.exists():
        sf.write(path, samples, 16000)
    return path.as_uri(), " ".join(u.reference for u in used)


@pytest.fixture(scope="session")
def client(server: Server) -> speech_v1.SpeechClient:
    return server.grpc_client()


@pytest.fixture(scope="session")
def rest(server: Server) -> speech_v1.SpeechClient:
    return server.rest_client()


@pytest.fixture(params=["grpc", "rest"])
def any_client(
    request: pytest.FixtureRequest, client: speech_v1.SpeechClient, rest: speech_v1.SpeechClient
) -> speech_v1.SpeechClient:
    return client if request.param == "grpc" else rest
