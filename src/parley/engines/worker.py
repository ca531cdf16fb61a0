"""What runs inside an inference worker (a process of the pool, or the caller's thread).

Each worker keeps its own model cache; it is built by `init_worker`, never at import.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
from typing import Any

import threadpoolctl

from parley.domain.audio import FloatArray
from parley.domain.transcript import Task, Transcript
from parley.engines.base import DecodeRequest, SpeechToText
from parley.engines.cache import ModelCache
from parley.engines.registry import EngineSettings, ModelSpec, model_spec
from parley.engines.stt import rover
from parley.lifeline import exit_with_parent

_models: ModelCache[SpeechToText] | None = None


def init_worker(
    settings: EngineSettings, idle_seconds: float | None = None, *, own_signals: bool = True
) -> None:
    """`own_signals` False: a Celery worker's process, whose signals are Celery's."""
    global _models  # noqa: PLW0603 - one cache per worker process, made here on purpose
    # numpy's OpenBLAS starts a thread per core (Whisper's features are a matrix product):
    # two single-thread workers would then oversubscribe two cores.
    threadpoolctl.threadpool_limits(settings.cpu_threads)
    _models = ModelCache(lambda name: model_spec(name).load(settings), idle_seconds)
    if own_signals and threading.current_thread() is threading.main_thread():
        # A worker process: SIGTERM or Ctrl-C for the whole process group is the server's
        # to handle; it finishes the work in flight, then stops its workers itself.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        exit_with_parent()


def _cache() -> ModelCache[SpeechToText]:
    if _models is None:
        raise RuntimeError("init_worker() was not called in this worker")
    return _models


def transcribe(model: str, samples: FloatArray, request: DecodeRequest) -> Transcript:
    spec = model_spec(model)
    if spec.parts:
        return _combined(spec, samples, request)
    with _cache().use(model) as engine:
        return engine.transcribe(samples, request)


def _combined(spec: ModelSpec, samples: FloatArray, request: DecodeRequest) -> Transcript:
    """English speech read by every part and combined; anything else (and a request for
    phrase hints or alternatives, which the first part alone gives) by the first part."""
    first = transcribe(spec.parts[0], samples, request)
    if first.language != "en" or not _combinable(request):
        return dataclasses.replace(first, model=spec.name)
    others = [transcribe(part, samples, _english(request)) for part in spec.parts[1:]]
    return rover.combine(spec.name, [first, *others])


def part_readings(model: str, request: DecodeRequest) -> list[tuple[str, DecodeRequest]]:
    """The decodes that make `model`'s reading, each of which can run on its own worker:
    every part of a combination when the request names English and can be combined, else
    the model itself (a combination then decides inside one worker, by the language
    its first part hears)."""
    spec = model_spec(model)
    if not spec.parts or request.language != "en" or not _combinable(request):
        return [(model, request)]
    return [(spec.parts[0], request)] + [(part, _english(request)) for part in spec.parts[1:]]


def combined(model: str, readings: list[Transcript]) -> Transcript:
    """The transcript of `part_readings(model, ...)`'s decodes, in their order."""
    return readings[0] if len(readings) == 1 else rover.combine(model, readings)


def _combinable(request: DecodeRequest) -> bool:
    adapted = bool(request.phrases) or request.alternatives > 1
    return request.task is Task.TRANSCRIBE and not adapted


def _english(request: DecodeRequest) -> DecodeRequest:
    return dataclasses.replace(request, language="en", candidates=(), alternatives=1)


def warm(models: list[str], barrier: Any = None) -> list[str]:
    """Load models ahead of the first request; returns what is loaded. With a `barrier`,
    wait until every worker of the pool has loaded too, so that each takes one call."""
    cache = _cache()
    for name in models:
        for part in model_spec(name).parts or (name,):
            with cache.use(part):
                pass
    if barrier is not None:
        barrier.wait(timeout=600)
    return cache.loaded()
