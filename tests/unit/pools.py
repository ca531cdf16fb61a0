"""A stand-in for the inference pool in unit tests of the layers above it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from parley.domain.audio import FloatArray
from parley.domain.transcript import Transcript
from parley.engines.base import DecodeRequest


@dataclass
class InlinePool:
    """Answers each task at once, in the caller's thread, with `read(model, samples,
    request)`, and records (model, request, parallel) for every call."""

    read: Callable[[str, FloatArray, DecodeRequest], Transcript]
    workers: int = 2
    calls: list[tuple[str, DecodeRequest, bool]] = field(default_factory=list)

    def submit(
        self,
        fn: Callable[..., Any],
        model: str,
        samples: FloatArray,
        request: DecodeRequest,
        parallel: bool,
        priority: int = 0,
    ) -> Future[Transcript]:
        self.calls.append((model, request, parallel))
        future: Future[Transcript] = Future()
        future.set_result(self.read(model, samples, request))
        return future
