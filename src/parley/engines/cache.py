"""Loaded engines, shared: one load per model, reference counts, unload when idle."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class _Entry(Generic[T]):
    lock: threading.Lock = field(default_factory=threading.Lock)
    engine: T | None = None
    users: int = 0
    last_used: float = field(default_factory=time.monotonic)


class ModelCache(Generic[T]):
    """`use(name)` loads on first need (one loader at a time per model) and keeps the
    engine while anyone uses it; `sweep()` drops engines idle longer than `idle_seconds`."""

    def __init__(self, loader: Callable[[str], T], idle_seconds: float | None = None) -> None:
        self._loader = loader
        self._idle_seconds = idle_seconds
        self._entries: dict[str, _Entry[T]] = {}
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def use(self, name: str) -> Iterator[T]:
        entry = self._acquire(name)
        try:
            with entry.lock:
                if entry.engine is None:
                    started = time.perf_counter()
                    entry.engine = self._loader(name)
                    logger.info("loaded %s in %.2f s", name, time.perf_counter() - started)
                engine = entry.engine
            yield engine
        finally:
            with self._guard:
                entry.users -= 1
                entry.last_used = time.monotonic()
        self.sweep()

    def loaded(self) -> list[str]:
        with self._guard:
            return [name for name, e in self._entries.items() if e.engine is not None]

    def sweep(self) -> None:
        if self._idle_seconds is None:
            return
        now = time.monotonic()
        with self._guard:
            for name, entry in self._entries.items():
                idle = entry.users == 0 and now - entry.last_used > self._idle_seconds
                if idle and entry.engine is not None:
                    entry.engine = None
                    logger.info("unloaded %s after %.0f s idle", name, now - entry.last_used)

    def _acquire(self, name: str) -> _Entry[T]:
        with self._guard:
            entry = self._entries.setdefault(name, _Entry())
            entry.users += 1
            return entry
