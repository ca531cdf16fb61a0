"""Long-running jobs when Celery workers run them: a front end sends a job's first tasks
when it accepts it, and now and then sends again the tasks of a job that stopped moving
(lost with a broker's messages). Nothing is held here that another front end lacks."""

from __future__ import annotations

import logging
from typing import Protocol

import anyio

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5


class Dispatcher(Protocol):
    def start(self, name: str) -> None: ...

    def sweep(self, stall_seconds: float) -> int: ...


class ClusterJobs:
    def __init__(self, dispatcher: Dispatcher, *, stall_seconds: float) -> None:
        self._dispatcher = dispatcher
        self._stall = stall_seconds
        self._stop = anyio.Event()

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
        while not self._stop.is_set():
            with anyio.move_on_after(max(1.0, self._stall / 4)):
                await self._stop.wait()
            if self._stop.is_set():
                break
            try:
                await anyio.to_thread.run_sync(self._dispatcher.sweep, self._stall)
            except Exception:
                logger.exception("looking for stalled jobs failed; trying again later")
