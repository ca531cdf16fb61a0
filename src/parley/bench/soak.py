"""Soak: sync requests, long-running jobs and real-time live streams at once against a
real server, which is SIGKILLed half way and started again on the same data. Reports
errors (apart from those while the server was down), latencies, the server's memory over
time, and whether every job that was accepted completed."""

from __future__ import annotations

import contextlib
import io
import shutil
import signal
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import soundfile as sf
from google.cloud import speech_v1 as speech
from google.cloud.speech_v1.services.speech.transports import SpeechGrpcTransport

from parley.bench import live
from parley.bench.context import BenchContext, SuiteResult
from parley.bench.procs import tree_rss_mb
from parley.bench.server import ServerProcess, wait_until
from parley.bench.speech import RATE, long_audio, speech_clip

SYNC_CLIENTS = 2
JOB_EVERY_SECONDS = 15.0
RSS_EVERY_SECONDS = 2.0


@dataclass
class _Load:
    """What the clients saw; `down` marks the time the server was away on purpose."""

    server: ServerProcess
    stop: threading.Event = field(default_factory=threading.Event)
    down: bool = False
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    errors_while_down: int = 0
    jobs: list[str] = field(default_factory=list)
    finals: int = 0
    rss: list[tuple[float, float, int]] = field(default_factory=list)  # (t, MB, life)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self) -> speech.SpeechClient:
        channel = grpc.insecure_channel(self.server.grpc)
        return speech.SpeechClient(transport=SpeechGrpcTransport(channel=channel))

    def failed(self, error: Exception) -> None:
        with self.lock:
            if self.down:
                self.errors_while_down += 1
            else:
                self.errors.append(f"{type(error).__name__}: {str(error)[:200]}")


def run(ctx: BenchContext) -> SuiteResult:
    seconds = 30.0 if ctx.quick else 600.0
    clip = speech_clip(ctx.read_speech(), 5.0)
    job_audio, _ = long_audio(ctx.read_speech(), 30.0 if ctx.quick else 120.0, seed=1)
    read = ctx.read_speech()
    track = live.build_track(read, len(read))
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        job_path = Path(folder) / "job.wav"
        sf.write(job_path, job_audio, RATE)
        env = {"PARLEY_WORKERS": str(ctx.settings.workers), "PARLEY_JOB_LEASE_SECONDS": "3"}

        def start() -> ServerProcess:
            return ServerProcess.start(data_dir, audio_dirs=(Path(folder),), env=env)

        load = _Load(start())
        try:
            restarted, completed = _soak(
                load, start, seconds, clip=clip, job_path=job_path, pcm=track.pcm
            )
        finally:
            load.stop.set()
            load.server.stop()
            log = data_dir / "server.log"
            if log.exists():
                shutil.copyfile(log, ctx.out_dir / "soak-server.log")
    return _result(load, seconds, restarted, completed)


def _soak(
    load: _Load,
    start: Callable[[], ServerProcess],
    seconds: float,
    *,
    clip: Any,
    job_path: Path,
    pcm: bytes,
) -> tuple[float, int]:
    """The load for `seconds`, the SIGKILL and restart half way; returns when the restart
    happened and how many accepted jobs completed."""
    started = time.monotonic()
    workers = [
        *(threading.Thread(target=_sync, args=(load, _wav(clip))) for _ in range(SYNC_CLIENTS)),
        threading.Thread(target=_jobs, args=(load, job_path.as_uri())),
        threading.Thread(target=_stream, args=(load, pcm)),
        threading.Thread(target=_memory, args=(load, started)),
    ]
    for worker in workers:
        worker.start()
    try:
        time.sleep(seconds / 2)
        with load.lock:
            load.down = True
        load.server.stop(signal.SIGKILL)
        load.server = start()
        with load.lock:
            load.down = False
        restarted = time.monotonic() - started
        time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    finally:
        load.stop.set()
        for worker in workers:
            worker.join(120)
    return restarted, _completed(load, seconds * 3)


def _wav(samples: Any) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, RATE, format="WAV")
    return buffer.getvalue()


def _sync(load: _Load, audio: bytes) -> None:
    config = speech.RecognitionConfig(language_code="en-US")
    while not load.stop.is_set():
        began = time.perf_counter()
        try:
            load.client().recognize(
                config=config,
                audio=speech.RecognitionAudio(content=audio),
                retry=None,  # a call to a killed server fails at once; the next finds the new one
                timeout=60,
            )
            with load.lock:
                load.latencies.append(time.perf_counter() - began)
        except Exception as error:
            load.failed(error)
            time.sleep(0.5)


def _jobs(load: _Load, uri: str) -> None:
    config = speech.RecognitionConfig(language_code="en-US")
    while not load.stop.is_set():
        try:
            operation = load.client().long_running_recognize(
                config=config, audio=speech.RecognitionAudio(uri=uri), retry=None, timeout=30
            )
            with load.lock:
                load.jobs.append(operation.operation.name)
        except Exception as error:
            load.failed(error)
        load.stop.wait(JOB_EVERY_SECONDS)


def _stream(load: _Load, pcm: bytes) -> None:
    """One live speaker at real-time pace, the track over and over; finals are counted
    as they come."""
    config = speech.StreamingRecognitionConfig(
        config=speech.RecognitionConfig(
            encoding=speech.RecognitionConfig.AudioEncoding.LINEAR16,
            sample_rate_hertz=RATE,
            language_code="en-US",
        )
    )

    def requests() -> Iterator[speech.StreamingRecognizeRequest]:
        for request in live.audio_requests(pcm, [], 1.0):
            if load.stop.is_set():
                return
            yield request

    while not load.stop.is_set():
        try:
            responses = load.client().streaming_recognize(  # type: ignore[call-arg]
                config=config, requests=requests(), retry=None, timeout=600
            )
            for response in responses:
                finals = sum(1 for r in response.results if r.is_final)
                with load.lock:
                    load.finals += finals
        except Exception as error:
            load.failed(error)
            time.sleep(0.5)


def _memory(load: _Load, started: float) -> None:
    lives: dict[int, int] = {}
    while not load.stop.is_set():
        pid = load.server.process.pid
        life = lives.setdefault(pid, len(lives))
        mb = tree_rss_mb(pid)
        if mb:
            with load.lock:
                load.rss.append((round(time.monotonic() - started, 1), round(mb, 1), life))
        load.stop.wait(RSS_EVERY_SECONDS)


def _completed(load: _Load, seconds: float) -> int:
    client = load.client()
    ops = client.transport.operations_client

    def all_done() -> bool:
        return all(ops.get_operation(name).done for name in load.jobs)

    with contextlib.suppress(TimeoutError):
        wait_until(all_done, seconds, every=1.0)
    return sum(
        1 for name in load.jobs if (o := ops.get_operation(name)).done and not o.HasField("error")
    )


def _result(load: _Load, seconds: float, restarted: float, completed: int) -> SuiteResult:
    latencies = sorted(load.latencies)
    p50 = statistics.median(latencies) if latencies else float("nan")
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    # Memory after the restart, once its decoders and streams have started: the second
    # quarter of that life against its last quarter.
    life = [mb for _, mb, n in load.rss if n == 1]
    quarter = max(1, len(life) // 4)
    settled = statistics.median(life[quarter : 2 * quarter]) if len(life) >= 4 else 0.0
    growth = max(life[-quarter:]) - settled if len(life) >= 4 else 0.0
    results = {
        "seconds": seconds,
        "restarted_at": round(restarted, 1),
        "sync_requests": len(latencies),
        "sync_p50_s": round(p50, 3),
        "sync_p95_s": round(p95, 3),
        "stream_finals": load.finals,
        "jobs_accepted": len(load.jobs),
        "jobs_completed": completed,
        "errors": load.errors,
        "errors_while_down": load.errors_while_down,
        "rss_mb": load.rss,
        "rss_growth_after_restart_mb": round(growth, 1),
    }
    headline = [
        (
            f"soak, {seconds / 60:.0f} min, SIGKILL at {restarted:.0f} s",
            f"{len(latencies)} sync requests p50 {p50:.2f} s / p95 {p95:.2f} s, "
            f"{load.finals} stream finals, jobs {completed}/{len(load.jobs)} completed, "
            f"{len(load.errors)} errors (+{load.errors_while_down} while down), "
            f"RSS growth {growth:.0f} MB",
        )
    ]
    return SuiteResult("soak", results, headline)
