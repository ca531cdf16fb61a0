"""Inference on Celery workers: a `parley serve` with a broker sends its recognitions to a
`parley worker`, against the real broker named by PARLEY_TEST_BROKER_URL (CI sets Redis);
skipped, with the reason, where there is none."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud import speech_v1 as speech

from tests.conftest import clip
from tests.contract.conftest import Server, long_file, start_server, wait_until

BROKER = os.environ.get("PARLEY_TEST_BROKER_URL", "")
pytestmark = pytest.mark.skipif(
    not BROKER, reason="no broker: set PARLEY_TEST_BROKER_URL (redis://... or amqp://...)"
)
CLIPS = ["arctic_a0007", "ps_cards_005", "ps_librivox_0870"]


class Worker:
    def __init__(self, data_dir: Path, log: Path) -> None:
        env = {**os.environ, "PARLEY_BROKER_URL": BROKER, "PARLEY_DATA_DIR": str(data_dir)}
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "parley", "worker", "--concurrency", "1"],
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        wait_until(lambda: "loaded whisper-base" in log.read_text(), 120)

    def tasks_done(self) -> int:
        return self.log.read_text().count("succeeded in")

    def children(self) -> list[int]:
        """Celery's pool processes (Linux's /proc)."""
        pid = self.process.pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    if BROKER.startswith("redis://"):
        import redis

        redis.Redis.from_url(BROKER).flushdb()
    folder = tmp_path_factory.mktemp("worker")
    started = Worker(folder / "data", folder / "worker.log")
    yield started
    assert started.stop() == 0


@pytest.fixture(scope="module")
def front(
    tmp_path_factory: pytest.TempPathFactory, uploads: Path, worker: Worker
) -> Iterator[Server]:
    running = start_server(
        tmp_path_factory.mktemp("front"), uploads, PARLEY_BROKER_URL=BROKER, PARLEY_WORKERS="1"
    )
    yield running
    assert running.stop() == 0


def recognized(client: speech.SpeechClient, name: str) -> str:
    response = client.recognize(
        config=speech.RecognitionConfig(language_code="en-US", enable_word_time_offsets=True),
        audio=speech.RecognitionAudio(content=clip(name).path.read_bytes()),
    )
    return " ".join(r.alternatives[0].transcript for r in response.results)


def test_recognitions_run_on_the_worker_and_read_as_the_embedded_pool(
    front: Server, worker: Worker, client: speech.SpeechClient
) -> None:
    """The same words as a server with its own worker processes (the suite's server)."""
    before = worker.tasks_done()
    remote = front.grpc_client()
    for name in CLIPS:
        assert recognized(remote, name) == recognized(client, name)
    wait_until(lambda: worker.tasks_done() >= before + len(CLIPS), 10)


def test_a_long_job_survives_its_worker_process_being_killed(
    front: Server, worker: Worker, client: speech.SpeechClient, uploads: Path
) -> None:
    """Windows go to the worker one by one; its process is SIGKILLed mid-job: Celery starts
    another, the window goes back to the queue, and the job completes with the same
    transcript as the suite's embedded server gives."""
    uri, _ = long_file(uploads, 150)
    config = speech.RecognitionConfig(language_code="en-US")
    audio = speech.RecognitionAudio(uri=uri)
    expected = client.long_running_recognize(config=config, audio=audio).result(timeout=600)
    before = worker.tasks_done()
    operation = front.rest_client().long_running_recognize(config=config, audio=audio)
    wait_until(lambda: worker.tasks_done() > before, 120)
    killed = worker.children()
    assert killed
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    result = operation.result(timeout=600)

    def words(response: speech.LongRunningRecognizeResponse) -> str:
        return " ".join(r.alternatives[0].transcript for r in response.results)

    assert words(result) == words(expected)
    assert "WorkerLostError" in worker.log.read_text()  # the kill did land mid-window
