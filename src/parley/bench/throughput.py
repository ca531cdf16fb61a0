"""Long audio through Parley's long-audio path with 1 and N workers, and, in the same run,
the same model through faster-whisper's own `transcribe` (sequential long-form decoding)
with the same settings: audio seconds per wall second, WER, and the ratios, for the tuning
set's read speech and the held-out set's English speech."""

from __future__ import annotations

import time
from typing import Any

from parley.bench.context import BenchContext, SuiteResult
from parley.bench.speech import RATE, long_audio
from parley.domain.audio import Audio, FloatArray
from parley.domain.transcript import RecognitionOptions
from parley.engines.device import resolve_compute_type, resolve_device
from parley.engines.registry import model_spec
from parley.evaluation.wer import word_error_rate
from parley.services.container import Services

MODEL = "whisper-base"


def run(ctx: BenchContext) -> SuiteResult:
    """Each speech set (tuning, held-out) looped into the same length of audio."""
    seconds = 15.0 if ctx.quick else 600.0
    sets: dict[str, Any] = {}
    headline: list[tuple[str, str]] = []
    for name, speech in ctx.english_sets().items():
        samples, used = long_audio(speech, seconds)
        runs = sets[name] = _runs(ctx, samples, " ".join(u.reference for u in used))
        headline += [
            (
                f"{seconds / 60:.0f}-min file ({name}), {run['workers']} worker(s)",
                f"RTF {run['real_time_factor']:.3f}, WER {run['wer']:.1%}; "
                f"{run['speed_vs_faster_whisper_transcribe']:.2f}x faster-whisper transcribe",
            )
            for key, run in runs.items()
            if key.startswith("parley_")
        ]
        direct = runs["faster_whisper_transcribe"]
        headline.append(
            (
                f"faster-whisper transcribe ({name}), 1 thread",
                f"RTF {direct['real_time_factor']:.3f}, WER {direct['wer']:.1%}",
            )
        )
    return SuiteResult(
        "throughput", {"model": MODEL, "audio_seconds": seconds, "sets": sets}, headline
    )


def _runs(ctx: BenchContext, samples: FloatArray, reference: str) -> dict[str, Any]:
    seconds = len(samples) / RATE
    runs: dict[str, Any] = {}
    for workers in sorted({1, ctx.settings.workers}):
        with ctx.services(workers=workers) as services:
            services.pool.warm([MODEL])
            wall, text = _parley(services, samples)
        runs[f"parley_{workers}_workers"] = _row(workers, wall, seconds, reference, text)
    wall, text = _faster_whisper(ctx, samples)
    direct = runs["faster_whisper_transcribe"] = _row(1, wall, seconds, reference, text)
    for key, row in runs.items():
        if key.startswith("parley_"):
            row["speed_vs_faster_whisper_transcribe"] = round(
                direct["wall_seconds"] / row["wall_seconds"], 2
            )
    return runs


def _row(workers: int, wall: float, seconds: float, reference: str, text: str) -> dict[str, Any]:
    return {
        "workers": workers,
        "wall_seconds": round(wall, 2),
        "audio_seconds_per_wall_second": round(seconds / wall, 2),
        "real_time_factor": round(wall / seconds, 4),
        "wer": round(word_error_rate([reference], [text]).wer, 4),
    }


def _parley(services: Services, samples: FloatArray) -> tuple[float, str]:
    spec, options = services.transcription.validate(RecognitionOptions(model=MODEL, language="en"))
    audio = Audio(samples[None, :], RATE)
    started = time.perf_counter()
    transcript = services.transcription.recognize(audio, spec, options)
    return time.perf_counter() - started, transcript.text


def _faster_whisper(ctx: BenchContext, samples: FloatArray) -> tuple[float, str]:
    from faster_whisper import WhisperModel

    settings = ctx.settings.engine_settings()
    device = resolve_device(settings.device)
    model = WhisperModel(
        str(model_spec(MODEL).locate(settings)),
        device=device,
        compute_type=resolve_compute_type(settings.compute_type, device),
        cpu_threads=1,
    )
    started = time.perf_counter()
    segments, _ = model.transcribe(
        samples, language="en", beam_size=5, vad_filter=True, word_timestamps=True
    )
    text = " ".join(s.text.strip() for s in segments)
    return time.perf_counter() - started, text
