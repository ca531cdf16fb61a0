"""What the server adds: a 5-second sync request over gRPC and over REST, against the
engine alone on the same audio (p50/p95 over repeated runs). The clip is speech (VAD
checked), and no figure is reported unless every reading of it came back with words."""

from __future__ import annotations

import functools
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import grpc
import soundfile as sf
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import speech_v1 as speech
from google.cloud.speech_v1.services.speech.transports import SpeechGrpcTransport

from parley.bench.context import BenchContext, SuiteResult
from parley.bench.server import ServerProcess
from parley.bench.speech import RATE, speech_clip
from parley.engines.base import DecodeRequest
from parley.engines.registry import model_spec

MODEL = "whisper-base"
SECONDS = 5.0


def run(ctx: BenchContext) -> SuiteResult:
    repeats = 2 if ctx.quick else 10
    samples = speech_clip(ctx.read_speech(), SECONDS)
    buffer = io.BytesIO()
    sf.write(buffer, samples, RATE, format="WAV")
    wav = buffer.getvalue()
    engine = model_spec(MODEL).load(ctx.settings.engine_settings())
    request = DecodeRequest(language="en")
    heard: dict[str, list[str]] = {}

    def engine_call() -> str:
        return engine.transcribe(samples, request).text

    times = {"engine": _timed(engine_call, repeats, heard.setdefault("engine", []))}
    config = speech.RecognitionConfig(language_code="en-US", model=MODEL)
    audio = speech.RecognitionAudio(content=wav)
    with tempfile.TemporaryDirectory() as data_dir:
        server = ServerProcess.start(
            Path(data_dir), env={"PARLEY_WORKERS": str(ctx.settings.workers)}
        )
        try:
            for name, client in (("grpc", _grpc(server)), ("rest", _rest(server))):
                client.recognize(config=config, audio=audio)  # first call opens the connection
                call = functools.partial(_recognized, client, config, audio)
                times[name] = _timed(call, repeats, heard.setdefault(name, []))
        finally:
            server.stop()
    silent = sorted(name for name, texts in heard.items() if not all(t.split() for t in texts))
    if silent:
        reason = f"no words came back from {', '.join(silent)} for the {SECONDS:.0f}-s clip"
        return SuiteResult(
            "overhead", {"refused": reason}, [(f"{SECONDS:.0f}-s sync request", reason)]
        )
    results = {
        name: {"p50_ms": _ms(statistics.median(v)), "p95_ms": _ms(_p95(v)), "runs": len(v)}
        for name, v in times.items()
    }
    engine_p50 = results["engine"]["p50_ms"]
    headline = [
        (
            f"{SECONDS:.0f}-s sync request, {name}",
            f"p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms "
            f"(engine alone p50 {engine_p50:.0f} ms)",
        )
        for name, r in results.items()
        if name != "engine"
    ]
    words = len(heard["engine"][0].split())
    return SuiteResult(
        "overhead",
        {"audio_seconds": SECONDS, "model": MODEL, "words": words, **results},
        headline,
    )


def _recognized(
    client: speech.SpeechClient,
    config: speech.RecognitionConfig,
    audio: speech.RecognitionAudio,
) -> str:
    response = client.recognize(config=config, audio=audio)
    return " ".join(r.alternatives[0].transcript for r in response.results if r.alternatives)


def _timed(call: Callable[[], str], repeats: int, heard: list[str]) -> list[float]:
    """Seconds per call; what each call heard is added to `heard`."""
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        heard.append(call())
        out.append(time.perf_counter() - started)
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _ms(seconds: float) -> float:
    return round(1000 * seconds, 1)


def _grpc(server: ServerProcess) -> speech.SpeechClient:
    return speech.SpeechClient(
        transport=SpeechGrpcTransport(channel=grpc.insecure_channel(server.grpc))
    )


def _rest(server: ServerProcess) -> speech.SpeechClient:
    return speech.SpeechClient(
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        transport="rest",
        client_options=ClientOptions(api_endpoint=server.http),
    )
