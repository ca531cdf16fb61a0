"""Prometheus metrics at /metrics, a request id on every answer and error, and one
access-log line per request that holds no audio, transcript or key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import grpc
import httpx
from google.cloud import speech_v1 as speech
from google.cloud.speech_v1 import RecognizeRequest, RecognizeResponse

from tests.conftest import clip
from tests.contract.conftest import Server, wait_until

GOOD = clip("ps_goforward").path.read_bytes()


def _metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_requests_audio_and_inference(
    server: Server, client: speech.SpeechClient
) -> None:
    before = httpx.get(f"{server.http}/metrics").text
    client.recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=GOOD),
    )
    after = httpx.get(f"{server.http}/metrics").text
    method = "/google.cloud.speech.v1.Speech/Recognize"
    requests = "parley_requests_total"
    assert _metric(after, requests, method=method, status="OK") == (
        _metric(before, requests, method=method, status="OK") + 1
    )
    audio = _metric(after, "parley_audio_seconds_total", kind="sync")
    assert audio - _metric(before, "parley_audio_seconds_total", kind="sync") > 1.0
    assert _metric(after, "parley_inference_seconds_total", kind="sync") > 0
    assert _metric(after, "parley_real_time_factor_count", kind="sync") >= 1
    assert _metric(after, "parley_request_seconds_count", protocol="grpc", method=method) >= 1
    for gauge in ("parley_queue_depth", "parley_open_streams", "parley_worker_restarts"):
        assert re.search(rf"^{gauge} \d", after, re.MULTILINE), gauge
    assert _metric(after, "parley_model_load_seconds") > 0


def test_every_answer_carries_a_request_id(server: Server) -> None:
    reply = httpx.get(f"{server.http}/v1/operations/nope")
    assert reply.status_code == 404
    rid = reply.headers["x-request-id"]
    details = reply.json()["error"]["details"]
    assert {"@type": "type.googleapis.com/google.rpc.RequestInfo", "requestId": rid} in details
    mine = httpx.get(f"{server.http}/healthz", headers={"x-request-id": "trace-42"})
    assert mine.headers["x-request-id"] == "trace-42"
    with grpc.insecure_channel(server.grpc) as channel:
        recognize = channel.unary_unary(
            "/google.cloud.speech.v1.Speech/Recognize",
            request_serializer=RecognizeRequest.serialize,
            response_deserializer=RecognizeResponse.deserialize,
        )
        request = RecognizeRequest(
            config=speech.RecognitionConfig(language_code="en-US"),
            audio=speech.RecognitionAudio(content=GOOD),
        )
        _, call = recognize.with_call(request, timeout=60, metadata=[("x-request-id", "abc-1")])
    assert ("x-request-id", "abc-1") in call.initial_metadata()


def test_the_access_log_has_a_line_per_request_and_no_content(
    server: Server, client: speech.SpeechClient
) -> None:
    client.recognize(
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=GOOD),
    )
    httpx.get(f"{server.http}/v1/transcriptions", params={"key": "pk_secret_in_url"})
    lines = (
        r"grpc /google.cloud.speech.v1.Speech/Recognize OK [\d.]+s id=\w+",
        r"http GET /v1/transcriptions 401 [\d.]+s id=\w+",  # a wrong key
    )
    # A line is written once its answer has gone out.
    wait_until(lambda: all(re.search(line, _log(server)) for line in lines), 10)
    log = _log(server)
    assert "pk_secret_in_url" not in log
    assert "forward" not in log.lower()  # the transcript of GOOD


def _log(server: Server) -> str:
    return (server.data_dir / "server.log").read_text()


def test_healthz_says_unhealthy_over_the_memory_limit(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "parley", "--data-dir", str(tmp_path), "serve"]
    command += ["--http-port", "0", "--grpc-port", "0"]
    env = {**os.environ, "PARLEY_WORKERS": "1", "PARLEY_MAX_MEMORY_MB": "1"}
    with (tmp_path / "server.log").open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: "serving HTTP on" in _log_of(tmp_path), 60)
        url = re.search(r"HTTP on (\S+)", _log_of(tmp_path)).group(1)  # type: ignore[union-attr]
        wait_until(lambda: httpx.get(f"{url}/healthz").json()["status"] != "loading", 300)
        reply = httpx.get(f"{url}/healthz")
        assert reply.status_code == 503
        assert reply.json()["status"] == "unhealthy"
        assert "over its limit of 1 MB" in reply.json()["problems"][0]
    finally:
        process.terminate()
        process.wait(60)


def _log_of(folder: Path) -> str:
    return (folder / "server.log").read_text()
