"""Runs queued operations one at a time, taking over any whose server died."""

from __future__ import annotations

import logging
import secrets
import socket
from collections.abc import Callable
from typing import Any

import anyio

from parley.errors import ErrorCode, ParleyError
from parley.store.operations import OperationRecord, Operations, OperationState

logger = logging.getLogger(__name__)

# (operation, keep_going) -> result id. keep_going(progress %, checkpoint) saves a
# checkpoint and says whether to go on.
Handler = Callable[[OperationRecord, Callable[[int, dict[str, Any]], bool]], str]


class JobRunner:
    def __init__(
        self, operations: Operations, handler: Handler, *, lease_seconds: float, poll_seconds: float
    ) -> None:
        self._operations = operations
        self._handler = handler
        self._lease = lease_seconds
        self._poll = poll_seconds
        self.owner = f"{socket.gethostname()}-{secrets.token_hex(4)}"
        self._wake = anyio.Event()
        self._finished = anyio.Event()
        self._stopping = False
        self._running: str | None = None  # the audio key of the job being run

    def wake(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    async def submitted(self, _name: str) -> None:
        self.wake()

    async def changed(self, seconds: float) -> None:
        """Return when a job of this runner finishes, or after `seconds`."""
        with anyio.move_on_after(seconds):
            await self._finished.wait()

    def stop(self) -> None:
        """Finish the current window, leave the job resumable, and return."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            operation = await anyio.to_thread.run_sync(
                self._operations.claim, self.owner, self._lease
            )
            if operation is None:
                with anyio.move_on_after(self._poll):
                    await self._wake.wait()
                self._wake = anyio.Event()
                continue
            await self._run_one(operation)

    async def _run_one(self, operation: OperationRecord) -> None:
        name = operation.name
        self._running = operation.audio_key
        logger.info("running operation %s (%s)", name, operation.kind)

        def keep_going(progress: int, checkpoint: dict[str, Any]) -> bool:
            return not self._stopping and self._operations.save_progress(
                name, self.owner, progress, checkpoint
            )

        async with anyio.create_task_group() as heartbeat:
            heartbeat.start_soon(self._keep_lease, name)
            try:
                result = await anyio.to_thread.run_sync(self._handler, operation, keep_going)
            except ParleyError as error:
                await self._ended(name, error)
            except Exception:
                logger.exception("operation %s failed", name)
                await self._finish(
                    name, OperationState.FAILED, error=("internal", "internal error")
                )
            else:
                await self._finish(name, OperationState.SUCCEEDED, result_id=result)
            heartbeat.cancel_scope.cancel()

    async def _ended(self, name: str, error: ParleyError) -> None:
        if error.code is ErrorCode.CANCELLED and self._stopping:
            # Shutting down, not cancelled: another run (or this server's next) resumes it.
            await anyio.to_thread.run_sync(self._operations.release, name, self.owner)
        elif error.code is ErrorCode.CANCELLED:
            await self._finish(name, OperationState.CANCELLED, error=("cancelled", error.message))
        else:
            await self._finish(name, OperationState.FAILED, error=(error.code.value, error.message))

    async def _finish(self, name: str, state: OperationState, **outcome: Any) -> None:
        kept = await anyio.to_thread.run_sync(
            lambda: self._operations.finish(name, self.owner, state, **outcome)
        )
        if not kept and state is not OperationState.SUCCEEDED and self._running is not None:
            # Deleted while it ran: its audio, kept for the run, goes now.
            await anyio.to_thread.run_sync(self._operations.discard_audio, self._running)
        self._finished.set()
        self._finished = anyio.Event()

    async def _keep_lease(self, name: str) -> None:
        while True:
            await anyio.sleep(self._lease / 3)
            await anyio.to_thread.run_sync(self._operations.renew, name, self.owner, self._lease)
