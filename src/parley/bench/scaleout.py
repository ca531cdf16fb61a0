"""Parley on Celery workers against the embedded pool, in one run on this machine: two
long files at once through LongRunningRecognize with 1 and 2 worker processes (audio
seconds per wall second), the broker's cost per window against the embedded pool with as many
processes, and sync Recognize and live-stream latency through the workers against the
local pool.

Needs PARLEY_BROKER_URL and a PostgreSQL PARLEY_DATABASE_URL (a scratch database is made
on that server and dropped after)."""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import grpc
import soundfile as sf
from google.cloud import speech_v1 as speech
from google.cloud.speech_v1.services.speech.transports import SpeechGrpcTransport

from parley.bench import live
from parley.bench.cluster import WorkerProcess, scratch_database
from parley.bench.context import BenchContext, SuiteResult
from parley.bench.server import ServerProcess, wait_until
from parley.bench.speech import RATE, long_audio
from parley.bench.streaming import CONFIG
from parley.errors import Misconfigured
from parley.evaluation.wer import word_error_rate

SYNC_REQUESTS = 8
JOBS = 2  # at once, of one key: the aggregate throughput of long-running work
_WINDOW_SECONDS = re.compile(r"parley\.job\.window\[[^\]]+\] succeeded in ([0-9.]+)s")


def run(ctx: BenchContext) -> SuiteResult:
    broker, database = ctx.settings.broker_url, ctx.cluster_database
    if not broker or not database or not database.startswith("postgresql"):
        raise Misconfigured(
            "the scaleout suite needs PARLEY_BROKER_URL and a PostgreSQL PARLEY_DATABASE_URL"
        )
    seconds = 120.0 if ctx.quick else 600.0
    samples, _ = long_audio(ctx.read_speech(), seconds)
    clip = next(u for u in ctx.read_speech() if 3.0 <= u.duration <= 8.0)
    track = live.build_track(ctx.read_speech(), 2 if ctx.quick else 6)
    with tempfile.TemporaryDirectory() as scratch, scratch_database(database) as url:
        folder = Path(scratch)
        path = folder / "long.wav"
        sf.write(path, samples, RATE)
        shared = {
            "PARLEY_BROKER_URL": broker,
            "PARLEY_DATABASE_URL": url,
            "PARLEY_AUDIO_STORE_DIR": str(folder / "audio"),
            "PARLEY_WORKERS": "2",
        }
        alone = {  # the embedded default: none of the deployment's settings
            "PARLEY_BROKER_URL": "",
            "PARLEY_DATABASE_URL": "",
            "PARLEY_AUDIO_STORE_DIR": str(folder / "embedded-audio"),
        }
        runs: dict[str, Any] = {
            "embedded, 2 processes": _measure(folder / "embedded", path, clip.data, track, alone)
        }
        for processes in (1, 2):
            runs[f"workers, {processes} process{'es' if processes > 1 else ''}"] = _measure(
                folder / f"cluster{processes}", path, clip.data, track, shared, processes
            )
    return _result(seconds, runs)


def _measure(  # noqa: PLR0917 - one deployment, what it runs
    folder: Path,
    audio: Path,
    clip: bytes,
    track: live.Track,
    env: dict[str, str],
    processes: int | None = None,
) -> dict[str, Any]:
    """One deployment: a front end (with workers when `processes` is given), JOBS long
    jobs at once, sync requests one after another, then a live stream at real-time
    pace."""
    folder.mkdir()
    worker = None
    if processes is not None:
        worker = WorkerProcess(
            {**env, "PARLEY_DATA_DIR": str(folder / "worker")}, folder / "worker.log", processes
        )
    server = ServerProcess.start(
        folder / "front",
        audio_dirs=(audio.parent,),
        env={"PARLEY_WORKERS": "2", **env},
    )
    try:
        client = speech.SpeechClient(
            transport=SpeechGrpcTransport(channel=grpc.insecure_channel(server.grpc))
        )
        started = time.perf_counter()
        operations = [
            client.long_running_recognize(
                config=speech.RecognitionConfig(language_code="en-US"),
                audio=speech.RecognitionAudio(uri=audio.as_uri()),
            )
            for _ in range(JOBS)
        ]
        wait_until(lambda: all(_done(o) for o in operations), 3600, every=0.25)
        wall = time.perf_counter() - started
        assert all(o.exception() is None for o in operations)  # type: ignore[no-untyped-call]
        latencies = []
        for _ in range(SYNC_REQUESTS):
            begun = time.perf_counter()
            client.recognize(
                config=speech.RecognitionConfig(language_code="en-US"),
                audio=speech.RecognitionAudio(content=clip),
            )
            latencies.append(time.perf_counter() - begun)
        heard = live.stream(client, CONFIG, track.pcm)
    finally:
        server.stop()
        if worker is not None:
            worker.stop()
    figures: dict[str, Any] = {
        "job_wall_seconds": round(wall, 2),
        "sync_median_seconds": round(statistics.median(latencies[1:]), 3),
        "live_final_p50_seconds": round(
            statistics.median(live.latencies(heard, track)["final"]), 3
        ),
        "live_wer": round(word_error_rate([track.reference], [heard.text()]).wer, 4),
    }
    if worker is not None:
        decodes = [float(s) for s in _WINDOW_SECONDS.findall(worker.log.read_text())]
        figures |= {"windows": len(decodes), "window_task_seconds": round(sum(decodes), 2)}
    return figures


def _done(operation: Any) -> bool:
    return bool(operation.done())


def _result(seconds: float, runs: dict[str, Any]) -> SuiteResult:
    for figures in runs.values():
        speed = JOBS * seconds / figures["job_wall_seconds"]
        figures["audio_seconds_per_wall_second"] = round(speed, 2)
    embedded, one, two = runs.values()
    # What the broker adds per window: the job's wall time with 2 worker processes over
    # the embedded pool's with 2, spread over the windows.
    overhead = (two["job_wall_seconds"] - embedded["job_wall_seconds"]) / max(1, two["windows"])
    scaling = two["audio_seconds_per_wall_second"] / one["audio_seconds_per_wall_second"]
    sync_ratio = two["sync_median_seconds"] / embedded["sync_median_seconds"]
    live_ratio = two["live_final_p50_seconds"] / embedded["live_final_p50_seconds"]
    results = {
        "audio_seconds": seconds,
        "jobs": JOBS,
        "runs": runs,
        "broker_seconds_per_window": round(overhead, 3),
        "throughput_2_over_1_process": round(scaling, 2),
        "sync_latency_workers_over_local": round(sync_ratio, 2),
        "live_final_workers_over_local": round(live_ratio, 2),
    }
    headline = [
        (
            f"LongRunning on Celery workers, {JOBS} x {seconds / 60:.0f}-min files",
            f"{one['audio_seconds_per_wall_second']:.1f} audio s/s with 1 process, "
            f"{two['audio_seconds_per_wall_second']:.1f} with 2 (x{scaling:.2f}); "
            f"embedded pool {embedded['audio_seconds_per_wall_second']:.1f}",
        ),
        (
            "Broker cost per window, sync latency via workers",
            f"{overhead:+.2f} s per window; sync median {two['sync_median_seconds']:.2f} s "
            f"vs {embedded['sync_median_seconds']:.2f} s local (x{sync_ratio:.2f})",
        ),
        (
            "Live stream final latency p50, via workers vs local",
            f"{two['live_final_p50_seconds'] * 1000:.0f} ms vs "
            f"{embedded['live_final_p50_seconds'] * 1000:.0f} ms (WER "
            f"{two['live_wer']:.1%} vs {embedded['live_wer']:.1%})",
        ),
    ]
    return SuiteResult("scaleout", results, headline)
