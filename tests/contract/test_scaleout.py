"""Inference on Celery workers: a `parley serve` with a broker sends its recognitions to a
`parley worker`, against the real broker named by PARLEY_TEST_BROKER_URL (CI sets Redis);
skipped, with the reason, where there is none."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from google.cloud import speech_v1 as speech
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf.duration_pb2 import Duration

from parley.bench.cluster import WorkerProcess
from parley.store import Store
from parley.store.operations import MAX_ATTEMPTS
from tests.conftest import clip, free_port, postgres_database
from tests.contract.conftest import Server, long_file, start_server, wait_until

BROKER = os.environ.get("PARLEY_TEST_BROKER_URL", "")
AMQP = os.environ.get("PARLEY_TEST_AMQP_URL", "")
pytestmark = pytest.mark.skipif(
    not BROKER, reason="no broker: set PARLEY_TEST_BROKER_URL (redis://... or amqp://...)"
)
CLIPS = ["arctic_a0007", "ps_cards_005", "ps_librivox_0870"]


Worker = WorkerProcess


def shared_settings(broker: str, database: str, audio: Path) -> dict[str, str]:
    """What every front end and worker of one deployment shares."""
    return {
        "PARLEY_BROKER_URL": broker,
        "PARLEY_DATABASE_URL": database,
        "PARLEY_AUDIO_STORE_DIR": str(audio),
        "PARLEY_WORKERS": "1",
        "PARLEY_JOB_STALL_SECONDS": "20",
    }


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The broker, a PostgreSQL database, an audio folder."""
    if BROKER.startswith("redis://"):
        import redis

        redis.Redis.from_url(BROKER).flushdb()
    with postgres_database() as url:
        yield shared_settings(BROKER, url, tmp_path_factory.mktemp("audio"))


def start_worker(folder: Path, shared: dict[str, str]) -> Worker:
    return Worker({**shared, "PARLEY_DATA_DIR": str(folder / "data")}, folder / "worker.log")


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory, shared: dict[str, str]) -> Iterator[Worker]:
    started = start_worker(tmp_path_factory.mktemp("worker"), shared)
    yield started
    assert started.stop() == 0


def front_end(
    tmp_path_factory: pytest.TempPathFactory, uploads: Path, shared: dict[str, str]
) -> Server:
    return start_server(tmp_path_factory.mktemp("front"), uploads, **shared)


def _running_front_end(
    tmp_path_factory: pytest.TempPathFactory, uploads: Path, shared: dict[str, str]
) -> Iterator[Server]:
    running = front_end(tmp_path_factory, uploads, shared)
    yield running
    assert running.stop() == 0


@pytest.fixture(scope="module")
def front(
    tmp_path_factory: pytest.TempPathFactory,
    uploads: Path,
    worker: Worker,
    shared: dict[str, str],
) -> Iterator[Server]:
    yield from _running_front_end(tmp_path_factory, uploads, shared)


@pytest.fixture(scope="module")
def other(
    tmp_path_factory: pytest.TempPathFactory,
    uploads: Path,
    worker: Worker,
    shared: dict[str, str],
) -> Iterator[Server]:
    yield from _running_front_end(tmp_path_factory, uploads, shared)


@pytest.fixture(scope="module")
def long_job(uploads: Path, client: speech.SpeechClient) -> tuple[str, str]:
    """100 s of speech (two windows), and its words as the suite's embedded server reads
    it."""
    uri, _ = long_file(uploads, 100)
    expected = client.long_running_recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(uri=uri),
    ).result(timeout=600)
    return uri, " ".join(r.alternatives[0].transcript for r in expected.results)


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
    front: Server, worker: Worker, long_job: tuple[str, str]
) -> None:
    """Windows go to the worker one by one; its process is SIGKILLed mid-job: Celery starts
    another, the window goes back to the queue, and the job completes with the same
    transcript as the suite's embedded server gives."""
    uri, expected = long_job
    before = worker.tasks_done()
    name = _job(front, uri)
    wait_until(lambda: worker.tasks_done() > before and worker.busy(), 120, every=0.05)
    killed = worker.children()
    assert killed
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    assert _words(_finished(front, name)) == expected
    assert "signal 9 (SIGKILL)" in worker.log.read_text()  # the kill did land mid-window


def _job(server: Server, uri: str) -> str:
    body = {"config": {"languageCode": "en-US"}, "audio": {"uri": uri}}
    reply = httpx.post(f"{server.http}/v1/speech:longrunningrecognize", json=body, timeout=30)
    reply.raise_for_status()
    return str(reply.json()["name"])


def _finished(server: Server, name: str) -> dict[str, object]:
    def done() -> bool:
        return bool(httpx.get(f"{server.http}/v1/operations/{name}").json().get("done"))

    wait_until(done, 600, every=1.0)
    return dict(httpx.get(f"{server.http}/v1/operations/{name}").json())


def _words(operation: dict[str, object]) -> str:
    response = operation["response"]
    assert isinstance(response, dict)
    return " ".join(r["alternatives"][0]["transcript"] for r in response["results"])


@pytest.fixture
def second(
    tmp_path_factory: pytest.TempPathFactory, worker: Worker, shared: dict[str, str]
) -> Iterator[Worker]:
    """Another worker beside the module's, for one test."""
    started = start_worker(tmp_path_factory.mktemp("second"), shared)
    yield started
    assert started.stop() == 0


def test_front_ends_on_one_database_serve_each_others_jobs(
    front: Server, other: Server, worker: Worker, second: Worker, long_job: tuple[str, str]
) -> None:
    """Two front ends, two workers: a job accepted by one front end is listed, waited for
    (gRPC WaitOperation), read and its audio fetched on the other; its windows are
    decoded by the two workers together."""
    uri, expected = long_job
    before = worker.tasks_done() + second.tasks_done()
    name = _job(front, uri)
    listed = httpx.get(f"{other.http}/v1/operations").json()["operations"]
    assert name in [o["name"] for o in listed]
    stub = operations_pb2_grpc.OperationsStub(grpc.insecure_channel(other.grpc))
    request = operations_pb2.WaitOperationRequest(name=name, timeout=Duration(seconds=300))
    assert stub.WaitOperation(request, timeout=330).done
    assert _words(_finished(other, name)) == expected
    record = httpx.get(f"{other.http}/v1/transcriptions").json()["transcriptions"][0]
    audio = httpx.get(f"{other.http}/v1/transcriptions/{record['id']}/audio")
    assert audio.status_code == 200
    assert audio.content == Path(uri.removeprefix("file://")).read_bytes()
    assert worker.tasks_done() + second.tasks_done() >= before + 3  # the plan, two windows


def test_a_front_end_killed_after_accepting_a_job_leaves_it_to_another(
    tmp_path_factory: pytest.TempPathFactory,
    other: Server,
    uploads: Path,
    worker: Worker,
    shared: dict[str, str],
    long_job: tuple[str, str],
) -> None:
    """The job lives in the database and the broker, not in its front end: the workers
    complete it, and the other front end serves the result, the same words."""
    doomed = front_end(tmp_path_factory, uploads, shared)
    uri, expected = long_job
    before = worker.tasks_done()
    name = _job(doomed, uri)
    wait_until(lambda: worker.tasks_done() > before, 120)
    doomed.stop(signal.SIGKILL)
    assert _words(_finished(other, name)) == expected


def test_sync_requests_go_before_the_windows_of_long_jobs(
    front: Server, worker: Worker, long_job: tuple[str, str]
) -> None:
    """The one worker decodes a job's window with the job's next window queued: a sync
    request sent now runs before that window (its own queue, taken first)."""
    uri, _ = long_job
    seen = len(worker.text())
    name = _job(front, uri)
    wait_until(lambda: "parley.job.window[" in worker.text()[seen:], 120, every=0.05)
    assert recognized(front.grpc_client(), CLIPS[0])
    status = httpx.get(f"{front.http}/v1/operations/{name}").json()
    assert not status.get("done")  # its second window still waits
    _finished(front, name)


def test_a_job_accepted_by_one_front_end_is_cancelled_by_another(
    front: Server, other: Server, long_job: tuple[str, str]
) -> None:
    uri, _ = long_job
    name = _job(front, uri)
    httpx.post(f"{other.http}/v1/operations/{name}:cancel", timeout=30).raise_for_status()
    ended = _finished(front, name)
    assert ended["error"]["code"] == 1  # type: ignore[index]  # google.rpc CANCELLED
    assert "response" not in ended


def test_a_window_that_kills_its_worker_each_time_fails_the_job(
    front: Server, worker: Worker, shared: dict[str, str], long_job: tuple[str, str]
) -> None:
    """Each time the job's first window starts, its worker process is SIGKILLed (as a
    decoder crash would): after MAX_ATTEMPTS deliveries the job fails with a clear error
    instead of looping, and the worker goes on serving."""
    store = Store(shared["PARLEY_DATABASE_URL"], Path(shared["PARLEY_AUDIO_STORE_DIR"]))
    uri, _ = long_job
    name = _job(front, uri)

    def tries() -> int:
        checkpoint = store.operations.get(name).checkpoint or {}
        return int(checkpoint.get("tries", {}).get("0", 0))

    try:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            wait_until(lambda a=attempt: tries() >= a, 120, every=0.05)  # type: ignore[misc]
            for pid in worker.children():
                os.kill(pid, signal.SIGKILL)
        failed = _finished(front, name)
    finally:
        store.close()
    message = failed["error"]["message"]  # type: ignore[index]
    assert f"stopped its inference worker {MAX_ATTEMPTS} times" in message
    assert recognized(front.grpc_client(), CLIPS[0])


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """scripts/install-test-deps installs redis-server when a broker is named."""
    server = RedisServer(tmp_path / "redis")
    yield server
    server.stop()


class RedisServer:
    """A Redis of the test's own, with every write on disk, to be restarted."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ],
            stdout=(self.folder / "redis.log").open("a"),
            stderr=subprocess.STDOUT,
        )
        import redis

        wait_until(lambda: _pings(redis.Redis(port=self.port)), 30)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


def _pings(client: Any) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


def test_a_job_resumes_after_its_broker_restarts(
    tmp_path_factory: pytest.TempPathFactory,
    uploads: Path,
    own_redis: RedisServer,
    long_job: tuple[str, str],
) -> None:
    """The broker is killed while a worker decodes the job's first window and started
    again once the worker has lost it: the worker and the front end reconnect, and the job
    completes with the same words."""
    with postgres_database() as url:
        settings = shared_settings(own_redis.url, url, tmp_path_factory.mktemp("audio"))
        worker = start_worker(tmp_path_factory.mktemp("worker"), settings)
        server = front_end(tmp_path_factory, uploads, settings)
        try:
            uri, expected = long_job
            name = _job(server, uri)
            wait_until(lambda: "parley.job.window[" in worker.log.read_text(), 120, every=0.05)
            own_redis.stop()
            wait_until(lambda: "Connection to broker lost" in worker.text(), 60, every=0.1)
            own_redis.start()
            assert _words(_finished(server, name)) == expected
        finally:
            assert server.stop() == 0
            assert worker.stop() == 0


@pytest.mark.skipif(not AMQP, reason="no RabbitMQ: set PARLEY_TEST_AMQP_URL (amqp://...)")
def test_rabbitmq_serves_as_the_broker(
    tmp_path_factory: pytest.TempPathFactory,
    uploads: Path,
    client: speech.SpeechClient,
    long_job: tuple[str, str],
) -> None:
    """With RabbitMQ (results come back as RPC replies): sync recognitions sent at once
    read as the embedded pool's, and a long job completes with the same words."""
    with postgres_database() as url:
        settings = {
            **shared_settings(AMQP, url, tmp_path_factory.mktemp("audio")),
            "PARLEY_WORKERS": "3",
        }
        worker = start_worker(tmp_path_factory.mktemp("worker"), settings)
        server = front_end(tmp_path_factory, uploads, settings)
        try:
            uri, expected = long_job
            name = _job(server, uri)
            remote = server.grpc_client()
            with ThreadPoolExecutor(len(CLIPS)) as threads:
                heard = list(threads.map(lambda n: recognized(remote, n), CLIPS))
            assert heard == [recognized(client, n) for n in CLIPS]
            assert _words(_finished(server, name)) == expected
        finally:
            assert server.stop() == 0
            assert worker.stop() == 0


def test_the_metrics_show_the_cluster(front: Server, worker: Worker) -> None:
    """Every front end exports the broker's queues, the workers and their processes."""

    def metrics() -> dict[str, float]:
        text = httpx.get(f"{front.http}/metrics", timeout=30).text
        return {
            line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("parley_cluster_")
        }

    wait_until(lambda: metrics().get("parley_cluster_workers") == 1.0, 40, every=1.0)
    figures = metrics()
    assert figures["parley_cluster_worker_processes"] == 1.0
    assert figures['parley_cluster_queued_tasks{queue="parley"}'] >= 0
    assert figures['parley_cluster_queued_tasks{queue="parley.batch"}'] >= 0
    assert "parley_cluster_job_tasks" in figures


def test_a_worker_told_to_stop_finishes_its_window_first(
    tmp_path_factory: pytest.TempPathFactory,
    front: Server,
    worker: Worker,
    shared: dict[str, str],
    long_job: tuple[str, str],
) -> None:
    """SIGTERM (a service manager's stop) while a second worker decodes a window: it
    finishes that window, exits cleanly, and the job completes on the other worker."""
    leaving = start_worker(tmp_path_factory.mktemp("leaving"), shared)
    uri, expected = long_job
    names = [_job(front, uri) for _ in range(2)]  # tasks enough for both workers
    wait_until(leaving.busy, 120, every=0.05)
    assert leaving.stop() == 0
    log = leaving.log.read_text()
    assert "raised" not in log
    assert log.count("] started") == log.count("succeeded in")  # each one begun, finished
    assert [_words(_finished(front, name)) for name in names] == [expected, expected]
