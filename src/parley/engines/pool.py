"""Inference off the caller's thread: in-process for one piece of work, a pool of
single-thread worker processes for many (two such workers here decode twice as fast as
one two-thread decode).

Work waits in one priority queue and at most one task per worker is handed to the
processes at a time, so an interactive request waits for one running task, never for a
long job's whole backlog. Each open live stream also keeps one worker (up to all of them)
from long jobs, so that streams keep up however long the jobs are."""

from __future__ import annotations

import contextlib
import functools
import heapq
import itertools
import logging
import multiprocessing
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, TypeVar

from parley.engines import worker
from parley.engines.registry import EngineSettings
from parley.engines.remote import RemoteExecutor

logger = logging.getLogger(__name__)

T = TypeVar("T")

LIVE = -10  # live streams: late is useless
INTERACTIVE = 0  # requests someone is waiting on
BATCH = 10  # long-running jobs


@dataclass(order=True)
class _Task:
    priority: int
    sequence: int
    fn: Callable[..., Any] = field(compare=False)
    args: tuple[Any, ...] = field(compare=False)
    future: Future[Any] = field(compare=False)
    retried: bool = field(default=False, compare=False)


class EnginePool:
    def __init__(
        self,
        settings: EngineSettings,
        workers: int,
        idle_seconds: float | None = None,
        *,
        in_process: bool = True,
        remote: RemoteExecutor | None = None,
    ) -> None:
        """Without `in_process` (a server, whose workers are warm), every task goes to the
        worker processes; with `remote`, to Celery workers instead (`workers` tasks in
        flight at a time)."""
        self.workers = max(1, workers)
        self._in_process = in_process
        self._remote = remote
        self._initargs = (settings, idle_seconds)
        self._local: ThreadPoolExecutor | None = None
        self._processes: ProcessPoolExecutor | None = None
        self._queue: list[_Task] = []
        self._running = 0
        self._running_batch = 0
        self._streams = 0
        self._sequence = itertools.count()
        self._lock = threading.Lock()
        self.restarts = 0  # times the worker processes were replaced after one died
        self.recovering = False  # a worker died and no task has succeeded since

    def submit(
        self, fn: Callable[..., T], *args: Any, parallel: bool = False, priority: int = INTERACTIVE
    ) -> Future[T]:
        """Run `fn` (a function of `parley.engines.worker`) in a worker process when
        `parallel`, else on this process's inference thread."""
        if not parallel and self._in_process:
            return self._local_executor().submit(fn, *args)
        future: Future[T] = Future()
        with self._lock:
            heapq.heappush(self._queue, _Task(priority, next(self._sequence), fn, args, future))
        self._dispatch()
        return future

    def _dispatch(self) -> None:
        while True:
            with self._lock:
                if self._running >= self.workers or not self._queue:
                    return
                batch = self._queue[0].priority >= BATCH
                if batch and self._running_batch >= self.workers - min(self.workers, self._streams):
                    return  # only long-job work waits, and its workers are kept for streams
                task = heapq.heappop(self._queue)
                if not task.retried and not task.future.set_running_or_notify_cancel():
                    continue  # cancelled while it waited
                self._running += 1
                self._running_batch += batch
            if self._remote is not None:
                inner = self._remote.submit(task.fn, *task.args, priority=task.priority)
            else:
                try:
                    inner = self._process_executor().submit(task.fn, *task.args)
                except BrokenProcessPool:
                    self._replace_broken_pool()
                    inner = self._process_executor().submit(task.fn, *task.args)
            inner.add_done_callback(functools.partial(self._finished, task=task))

    def _finished(self, inner: Future[Any], task: _Task) -> None:
        with self._lock:
            self._running -= 1
            self._running_batch -= task.priority >= BATCH
        error = inner.exception()
        if isinstance(error, BrokenProcessPool) and not task.retried:
            # A worker died (killed, out of memory): start fresh ones and try once more.
            self._replace_broken_pool()
            task.retried = True
            with self._lock:
                heapq.heappush(self._queue, task)
        elif error is not None:
            task.future.set_exception(error)
        else:
            self.recovering = False
            task.future.set_result(inner.result())
        self._dispatch()

    def queued(self) -> int:
        """Tasks waiting for a worker."""
        return len(self._queue)

    @contextlib.contextmanager
    def reserve(self) -> Iterator[None]:
        """Keep one more worker from long jobs while the block runs (a live stream)."""
        with self._lock:
            self._streams += 1
        try:
            yield
        finally:
            with self._lock:
                self._streams -= 1
            self._dispatch()

    def _replace_broken_pool(self) -> None:
        with self._lock:
            broken, self._processes = self._processes, None
        if broken is not None:
            self.restarts += 1
            self.recovering = True
            logger.warning("an inference worker died; starting new workers")
            broken.shutdown(wait=False, cancel_futures=True)

    def _process_executor(self) -> ProcessPoolExecutor:
        if self._processes is None:
            self._processes = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=worker.init_worker,
                initargs=self._initargs,
            )
        return self._processes

    def _local_executor(self) -> ThreadPoolExecutor:
        if self._local is None:
            self._local = ThreadPoolExecutor(
                1, "parley-inference", initializer=worker.init_worker, initargs=self._initargs
            )
        return self._local

    def warm(self, models: list[str]) -> None:
        """Start every worker process and load `models` in each (blocks until done).
        Celery workers load theirs when they start."""
        if self._remote is not None:
            return
        barrier = multiprocessing.get_context("spawn").Manager().Barrier(self.workers)
        futures = [
            self.submit(worker.warm, models, barrier, parallel=True) for _ in range(self.workers)
        ]
        for future in futures:
            future.result()

    def shutdown(self, *, cancel: bool = False) -> None:
        if cancel:
            with self._lock:
                pending, self._queue = self._queue, []
            for task in pending:
                task.future.cancel()
        for executor in (self._local, self._processes, self._remote):
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=cancel)
        self._local = self._processes = None
