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
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import speech_v1
from google.cloud.speech_v1.services.speech.transports import SpeechGrpcTransport

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


def start_server(data_dir: Path, **env: str) -> Server:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "parley",
            "--data-dir",
            str(data_dir),
            "serve",
            "--http-port",
            "0",
            "--grpc-port",
            "0",
            "--audio-dir",
            str(DATA),
        ],
        env={**os.environ, "PARLEY_WORKERS": "2", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = _LISTENING.search(line)
    if match is None:
        rest = process.stdout.read() if process.poll() is not None else ""
        raise AssertionError(f"parley serve did not start: {line}{rest}")
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
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("server"))
    yield running
    assert running.stop() == 0


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
