"""Inference off the caller's thread: in-process for one piece of work, a pool of
single-thread worker processes for many (two such workers here decode twice as fast
as one two-thread decode)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, TypeVar

from parley.engines import worker
from parley.engines.registry import EngineSettings

T = TypeVar("T")


class EnginePool:
    def __init__(
        self, settings: EngineSettings, workers: int, idle_seconds: float | None = None
    ) -> None:
        self.workers = max(1, workers)
        self._settings = settings
        self._idle_seconds = idle_seconds
        self._local: ThreadPoolExecutor | None = None
        self._processes: ProcessPoolExecutor | None = None

    def submit(self, fn: Callable[..., T], *args: Any, parallel: bool = False) -> Future[T]:
        """Run `fn` (a function of `parley.engines.worker`) in a worker process when
        `parallel`, else on this process's inference thread."""
        return self._executor(parallel).submit(fn, *args)

    def _executor(self, parallel: bool) -> Executor:
        initargs = (self._settings, self._idle_seconds)
        if parallel:
            if self._processes is None:
                self._processes = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=worker.init_worker,
                    initargs=initargs,
                )
            return self._processes
        if self._local is None:
            self._local = ThreadPoolExecutor(
                1, "parley-inference", initializer=worker.init_worker, initargs=initargs
            )
        return self._local

    def shutdown(self, *, cancel: bool = False) -> None:
        for executor in (self._local, self._processes):
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=cancel)
        self._local = self._processes = None
