"""Long-running jobs when Celery workers run them: a front end sends a job's first tasks
when it accepts it, and now and then sends again the tasks of a job that stopped moving
(lost with a broker's messages). Nothing is held here that another front end lacks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

import anyio

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5
STATUS_SECONDS = 15.0


class Dispatcher(Protocol):
    def start(self, name: str) -> None: ...

    def sweep(self, stall_seconds: float) -> int: ...

    def status(self) -> dict[str, float]: ...


class ClusterJobs:
    def __init__(self, dispatcher: Dispatcher, *, stall_seconds: float) -> None:
        self._dispatcher = dispatcher
        self._stall = stall_seconds
        self._stop = anyio.Event()
        self.status: dict[str, float] = {}  # the cluster's figures, read now and then

    async def submitted(self, name: str) -> None:
        """The job is in the database: if its tasks cannot be sent now (the broker is
        away), the sweep sends them later."""
        try:
            await anyio.to_thread.run_sync(self._dispatcher.start, name)
        except Exception:
            logger.exception("could not send job %s to the workers yet", name)

    async def changed(self, seconds: float) -> None:
        """Jobs finish on the workers: look again soon."""
        await anyio.sleep(min(seconds, POLL_SECONDS))

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self._every, self._stall / 4, self._sweep)
            tasks.start_soon(self._every, STATUS_SECONDS, self._read_status)
            await self._stop.wait()
            tasks.cancel_scope.cancel()

    async def _every(self, seconds: float, action: Callable[[], None]) -> None:
        while True:
            try:
                await anyio.to_thread.run_sync(action)
            except Exception:
                logger.exception("%s failed; trying again later", action.__name__)
            await anyio.sleep(max(1.0, seconds))

    def _sweep(self) -> None:
        self._dispatcher.sweep(self._stall)

    def _read_status(self) -> None:
        self.status = self._dispatcher.status()
