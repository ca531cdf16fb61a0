"""A real `parley serve` on ephemeral ports, and the official Google clients pointed at it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest
import soundfile as sf
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import speech_v1
from google.cloud.speech_v1.services.speech.transports import SpeechGrpcTransport

from parley.bench.server import ServerProcess
from parley.bench.server import wait_until as bench_wait_until
from parley.bench.speech import long_audio
from tests.conftest import SPEECH_DIR, dev_speech

DATA = Path(__file__).resolve().parents[1] / "data"
STREAM_CAPACITY = 3  # live streams the test server takes at once
BODY_TIMEOUT_SECONDS = 3
STREAM_IDLE_SECONDS = 6


class Server(ServerProcess):
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


def start_server(data_dir: Path, uploads: Path, **env: str) -> Server:
    """`uploads`: a second folder file:// URIs may name (tests write long audio there)."""
    defaults = {
        "PARLEY_WORKERS": "2",
        "PARLEY_STREAM_CAPACITY": str(STREAM_CAPACITY),
        "PARLEY_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT_SECONDS),
        "PARLEY_STREAM_IDLE_SECONDS": str(STREAM_IDLE_SECONDS),
        # Wyoming too (keyless by nature: allowed explicitly where keys are required).
        "PARLEY_WYOMING_PORT": "0",
        "PARLEY_WYOMING_WITHOUT_KEYS": "true",
    }
    return Server.start(data_dir, audio_dirs=(DATA, SPEECH_DIR, uploads), env={**defaults, **env})


def heard_pcm(
    client: speech_v1.SpeechClient, pcm: bytes, rate: int, language: str = "en-US"
) -> str:
    """What a sync Recognize hears in 16-bit mono PCM."""
    response = client.recognize(
        config=speech_v1.RecognitionConfig(
            encoding=speech_v1.RecognitionConfig.AudioEncoding.LINEAR16,
            sample_rate_hertz=rate,
            language_code=language,
        ),
        audio=speech_v1.RecognitionAudio(content=pcm),
    )
    return " ".join(r.alternatives[0].transcript for r in response.results)


def wait_until(condition: Callable[[], object], seconds: float, every: float = 0.2) -> None:
    bench_wait_until(lambda: bool(condition()), seconds, every)


@pytest.fixture(scope="session")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, uploads: Path) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("server"), uploads)
    yield running
    assert running.stop() == 0


# The WER bound for `long_file`'s transcript: about 3 % on the machine the suite was
# written on; on another CPU the int8 kernels heard "clubs" as "close" for 5.4 %.
LONG_FILE_WER = 0.08


def long_file(uploads: Path, seconds: float) -> tuple[str, str]:
    """A WAV of the dev clips looped to `seconds`; returns its file:// URI and reference."""
    path = uploads / f"long_{seconds:.0f}.wav"
    speech = dev_speech()
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


def create_key(data_dir: Path, name: str, *extra: str) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "parley",
            "--data-dir",
            str(data_dir),
            "keys",
            "create",
            name,
            *extra,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def keyed(
    tmp_path_factory: pytest.TempPathFactory, uploads: Path
) -> Iterator[tuple[Server, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("keyed")
    keys = {name: create_key(data_dir, name) for name in ("alice", "bob", "carol", "erin")}
    keys["root"] = create_key(data_dir, "root", "--admin")
    server = start_server(data_dir, uploads, PARLEY_REQUIRE_KEYS="true", PARLEY_WORKERS="1")
    yield server, keys
    assert server.stop() == 0
