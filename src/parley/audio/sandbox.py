"""Decoding in a child process: FFmpeg parses whatever a client sends, and a native crash
or a runaway allocation there must cost one request, not the server."""

from __future__ import annotations

import logging
import multiprocessing
import resource
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from parley.audio.decode import NO_LIMITS, DecodeLimits, decode_audio
from parley.domain.audio import Audio, RawAudioFormat
from parley.errors import InvalidAudio, TooLarge
from parley.lifeline import exit_with_parent

logger = logging.getLogger(__name__)


def _init_child(memory_bytes: int | None) -> None:
    # SIGTERM or Ctrl-C for the whole process group is the server's to handle: a child
    # killed while it sends its result back leaves the pool waiting for the rest forever.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    exit_with_parent()
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


class DecoderSandbox:
    """`decode_audio` in a small pool of child processes (started on first use)."""

    def __init__(
        self,
        processes: int = 2,
        memory_bytes: int | None = None,
        function: Callable[..., Audio] = decode_audio,
    ) -> None:
        """`function`: what to run in the children (`decode_audio`; tests pass others)."""
        self._function = function
        self._processes = processes
        self._memory_bytes = memory_bytes
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self.crashes = 0

    def decode(
        self,
        source: bytes | Path,
        *,
        raw: RawAudioFormat | None = None,
        expect_rate: int | None = None,
        expect_channels: int | None = None,
        limits: DecodeLimits = NO_LIMITS,
    ) -> Audio:
        # A crash breaks the whole pool, failing every decode in flight: each is tried
        # once more on fresh processes, and only one that crashes again is refused.
        for attempt in range(2):
            executor = self._pool()
            future: Future[Audio] = executor.submit(
                self._function,
                source,
                raw=raw,
                expect_rate=expect_rate,
                expect_channels=expect_channels,
                limits=limits,
            )
            try:
                return future.result()
            except BrokenProcessPool:
                self._replace(executor)
                if attempt:
                    raise InvalidAudio(
                        "the audio crashed the decoder: it is corrupt or not supported",
                        field="audio",
                    ) from None
            except MemoryError:
                most = float(self._memory_bytes or 0)
                raise TooLarge(
                    "the audio is too large to decode", field="audio", limit=most, actual=most
                ) from None
        raise AssertionError("unreachable")

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self._processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init_child,
                    initargs=(self._memory_bytes,),
                )
            return self._executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:
                self.crashes += 1
                logger.warning("an audio decoder process died; starting a new one")
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
