"""Long-running jobs on Celery workers (`PARLEY_BROKER_URL`): a job is planned by one
task (its audio decoded once, cut into windows, kept as the model reads it in the shared
audio store) and each window is a task of its own. Whoever finishes a window records it
and sends what comes next; whoever finishes the last one stores the transcript. The
database holds where every job stands, so no front end or worker is needed to finish a
job but the ones alive.

Each key (tenant) has at most `budget` tasks on the way, `per_job` of them for any one job:
windows queue in turns, so one key's 8-hour recording cannot starve everyone else."""

from __future__ import annotations

import logging
import time
from typing import Protocol

import numpy as np

from parley.domain.audio import Span
from parley.domain.codec import segment_from_dict, segment_to_dict
from parley.engines import worker
from parley.errors import NotFound, ParleyError
from parley.services.operations import OperationsService
from parley.services.transcription import decode_request, placed
from parley.store import OperationRecord, Store
from parley.store.operations import samples_key
from parley.store.windows import Begin, Send, Started

logger = logging.getLogger(__name__)


class TaskSender(Protocol):
    def send(self, tasks: list[Send]) -> None:
        """Queue (name, None) to plan a job, (name, index) to decode one of its windows."""

    def status(self) -> dict[str, float]:
        """The broker's and the workers' figures (queue depths, workers, tasks)."""


class DistributedJobs:
    def __init__(
        self,
        store: Store,
        operations: OperationsService,
        sender: TaskSender,
        *,
        budget: int,
        per_job: int,
    ) -> None:
        self._store = store
        self._windows = store.windows
        self._operations = operations
        self._transcription = operations.transcription
        self._sender = sender
        self._budget = budget
        self._per_job = per_job

    # Front ends.

    def start(self, name: str) -> None:
        """A job was accepted: send its first tasks if its key has room."""
        self._dispatch(self._store.operations.get(name).tenant)

    def sweep(self, stall_seconds: float) -> int:
        """Send again the tasks of jobs that have not moved for `stall_seconds`; returns
        how many were sent."""
        sends, tenants = self._windows.stalled(stall_seconds)
        for name, index in sends:
            what = "its plan" if index is None else f"window {index}"
            logger.warning("job %s has not moved: sending %s again", name, what)
        self._sender.send(sends)
        for tenant in tenants:
            self._dispatch(tenant)
        return len(sends)

    def status(self) -> dict[str, float]:
        """The cluster's figures, for the metrics: the broker's and the database's."""
        return {**self._sender.status(), **self._windows.counts()}

    # Workers.

    def plan(self, name: str) -> None:
        operation = self._runnable(self._windows.begin_plan(name))
        if operation is None:
            return
        begun = time.perf_counter()
        try:
            audio, spec, options = self._operations.load(operation)
            tracks, windows = self._transcription.plan(audio, spec, options)
        except NotFound:
            message = (
                "the job's audio is not in the audio store this worker sees: "
                "PARLEY_AUDIO_STORE_DIR must be a folder every server and worker shares"
            )
            self._failed(operation, "internal", message)
            return
        except ParleyError as error:
            self._failed(operation, error.code.value, error.message)
            return
        samples = b"".join(tracks[c].astype(np.float32).tobytes() for c in sorted(tracks))
        self._store.audio.write(samples_key(operation.audio_key), samples)
        plan = {
            "windows": [[channel, w.start, w.end] for channel, w in windows],
            "rate": spec.sample_rate,
            "length": len(tracks[1]),
            "duration": audio.duration,
            "channels": audio.channels,
            "format": f"{audio.container}/{audio.codec}",
            "seconds": time.perf_counter() - begun,
        }
        if not self._windows.planned(name, plan):
            self._store.audio.discard(samples_key(operation.audio_key))
        elif not windows:  # nothing to decode (silence)
            self._complete(self._store.operations.get(name))
        self._dispatch(operation.tenant)

    def window(self, name: str, index: int) -> None:
        operation = self._runnable(self._windows.begin_window(name, index))
        if operation is None:
            return
        begun = time.perf_counter()
        try:
            spec, options = self._operations.options(operation)
            samples = np.frombuffer(self._windows.samples(operation, index), np.float32)
            transcript = worker.transcribe(spec.name, samples, decode_request(options))
        except ParleyError as error:
            self._failed(operation, error.code.value, error.message)
            return
        channel, start, end = (operation.checkpoint or {})["windows"][index]
        segments = placed(transcript.segments, Span(start, end), channel)
        last = self._windows.window_done(
            name, index, [segment_to_dict(s) for s in segments], time.perf_counter() - begun
        )
        if last is not None:
            self._complete(last)
        self._dispatch(operation.tenant)

    def _runnable(self, started: Started) -> OperationRecord | None:
        """The job, when there is work to do; else what a task with none does."""
        if started.begin is Begin.RUN and started.operation is not None:
            return started.operation
        self._after(started.begin, started.operation)
        return None

    def _after(self, begin: Begin, operation: OperationRecord | None) -> None:
        """A task with nothing to run: a job that ended, or one delivered again (its
        worker died after recording the work) whose next tasks may not have gone."""
        if operation is None:
            return
        if begin is Begin.STOP:
            self._end(operation)
            self._dispatch(operation.tenant)  # its share is free for the key's other jobs
            return
        checkpoint = operation.checkpoint or {}
        if len(checkpoint.get("done", {})) == len(checkpoint.get("windows", [])):
            self._complete(operation)
        self._dispatch(operation.tenant)

    def _complete(self, operation: OperationRecord) -> None:
        checkpoint = operation.checkpoint or {}
        done = checkpoint["done"]
        segments = [segment_from_dict(s) for i in sorted(done, key=int) for s in done[i]]
        spec, options = self._operations.options(operation)
        transcript = self._transcription.assemble(
            segments,
            options,
            spec,
            duration=checkpoint["duration"],
            channels=checkpoint["channels"],
            inference_seconds=checkpoint.get("seconds", 0.0),
        )
        result = self._operations.store_result(operation, transcript, checkpoint["format"])
        self._windows.succeeded(operation.name, result)
        self._end(operation)
        logger.info("operation %s done (%.0f s of audio)", operation.name, transcript.duration)

    def _failed(self, operation: OperationRecord, code: str, message: str) -> None:
        self._windows.failed(operation.name, code, message)
        self._end(operation)
        self._dispatch(operation.tenant)

    def _end(self, operation: OperationRecord) -> None:
        self._store.audio.discard(samples_key(operation.audio_key))

    def _dispatch(self, tenant: str | None) -> None:
        self._sender.send(self._windows.dispatch(tenant, self._budget, self._per_job))
