"""Readiness, a clean stop on SIGTERM, and jobs that survive SIGKILL."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import grpc
import httpx
from google.cloud import speech_v1 as speech
from grpc_health.v1 import health_pb2, health_pb2_grpc

from parley.bench.procs import process_tree
from parley.evaluation.wer import word_error_rate
from tests.conftest import SPEECH_DIR
from tests.contract.conftest import LONG_FILE_WER, Server, long_file, start_server, wait_until

CONFIG = speech.RecognitionConfig(language_code="en-US", enable_automatic_punctuation=True)


def progress(client: speech.SpeechClient, name: str) -> tuple[bool, int]:
    raw = client.transport.operations_client.get_operation(name)
    return raw.done, speech.LongRunningRecognizeMetadata.deserialize(
        raw.metadata.value
    ).progress_percent


def test_health_services_report_ready(server: Server) -> None:
    assert httpx.get(f"{server.http}/healthz").json()["status"] == "ready"
    stub = health_pb2_grpc.HealthStub(grpc.insecure_channel(server.grpc))
    for service in ("", "google.cloud.speech.v1.Speech"):
        reply = stub.Check(health_pb2.HealthCheckRequest(service=service))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_sigkill_mid_job_then_restart_completes_it(tmp_path: Path, uploads: Path) -> None:
    lease = {"PARLEY_JOB_LEASE_SECONDS": "3"}
    first = start_server(tmp_path, uploads, **lease)
    uri, reference = long_file(uploads, 150)
    client = first.grpc_client()
    name = client.long_running_recognize(
        config=CONFIG, audio=speech.RecognitionAudio(uri=uri)
    ).operation.name
    wait_until(lambda: progress(client, name)[1] > 0, 120)
    first.stop(signal.SIGKILL)

    second = start_server(tmp_path, uploads, **lease)
    try:
        client = second.grpc_client()
        done_at_restart, resumed_from = progress(client, name)
        assert not done_at_restart
        assert resumed_from > 0
        wait_until(lambda: progress(client, name)[0], 300, every=0.5)
        raw = client.transport.operations_client.get_operation(name)
        result = speech.LongRunningRecognizeResponse.deserialize(raw.response.value)
        hypothesis = " ".join(r.alternatives[0].transcript for r in result.results)
        assert word_error_rate([reference], [hypothesis]).wer <= LONG_FILE_WER
        ends = [r.result_end_time.total_seconds() for r in result.results]
        assert ends == sorted(ends)
        assert ends[-1] > 130
    finally:
        assert second.stop() == 0


def test_sigterm_lets_requests_in_flight_finish(tmp_path: Path, uploads: Path) -> None:
    server = start_server(tmp_path, uploads)
    client = server.grpc_client()
    uri, _ = long_file(uploads, 55)
    answers: list[speech.RecognizeResponse] = []
    request = threading.Thread(
        target=lambda: answers.append(
            client.recognize(config=CONFIG, audio=speech.RecognitionAudio(uri=uri))
        )
    )
    # A job that is running when the server stops is left to resume, not lost.
    job_uri, _ = long_file(uploads, 180)
    job = client.long_running_recognize(config=CONFIG, audio=speech.RecognitionAudio(uri=job_uri))
    wait_until(lambda: progress(client, job.operation.name)[1] > 0, 120)
    request.start()
    wait_until(lambda: _in_flight(server), 30, every=0.05)
    assert server.stop(signal.SIGTERM) == 0
    request.join(60)
    assert answers, "the request in flight did not get its answer"
    assert len(" ".join(r.alternatives[0].transcript for r in answers[0].results).split()) > 100

    restarted = start_server(tmp_path, uploads)
    try:
        client = restarted.grpc_client()
        wait_until(lambda: progress(client, job.operation.name)[0], 300, every=0.5)
        raw = client.transport.operations_client.get_operation(job.operation.name)
        assert raw.HasField("response")
    finally:
        assert restarted.stop() == 0


def _in_flight(server: Server) -> bool:
    return bool(httpx.get(f"{server.http}/healthz").json()["recognitions_in_flight"])


def test_workers_end_when_their_server_is_killed(tmp_path: Path, uploads: Path) -> None:
    """SIGKILL of the server process alone (as the OOM killer does): its inference workers,
    audio decoders and resource tracker do not live on."""
    server = start_server(tmp_path, uploads)
    server.grpc_client().recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=(SPEECH_DIR / "ps_goforward.wav").read_bytes()),
    )
    children = process_tree(server.process.pid)[1:]
    assert len(children) >= 3  # two inference workers and a decoder, at least
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(10)

    def gone() -> bool:
        return not [c for c in children if Path(f"/proc/{c}").exists() and not _zombie(c)]

    wait_until(gone, 10)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return False
