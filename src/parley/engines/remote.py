"""Inference on Celery workers (`parley worker`), for servers that share a broker.

The same worker functions run there as in the embedded pool (`parley.engines.worker`), one
model cache per worker process. A task is acknowledged only once it has run, and a
worker that dies gives its task back to the queue, so another worker runs it.

Tasks and results are JSON: the audio as base64 float32 (exactly what the embedded pool
decodes), the request and the transcript as plain fields. Nothing is unpickled."""

from __future__ import annotations

import base64
import dataclasses
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np

from parley.domain.audio import FloatArray
from parley.domain.codec import transcript_from_dict, transcript_to_dict
from parley.domain.transcript import PhraseHint, Task, Transcript
from parley.engines import worker
from parley.engines.base import DecodeRequest
from parley.engines.registry import EngineSettings
from parley.errors import Misconfigured

logger = logging.getLogger(__name__)

TASK = "parley.inference"
PLAN_TASK = "parley.job.plan"
WINDOW_TASK = "parley.job.window"
# Live and sync recognitions, then the long-running jobs' tasks: a worker that takes
# both takes from the first while it has any (Redis); `parley worker --queues` can
# also keep machines for one of them.
QUEUE = "parley"
BATCH_QUEUE = "parley.batch"
QUEUES = (QUEUE, BATCH_QUEUE)
# Celery's priorities: 0 first. Parley's LIVE, INTERACTIVE and BATCH map onto 0, 3 and 9.
PRIORITIES = {-10: 0, 0: 3, 10: 9}
# Sending survives a broker that restarts: try for about a minute before giving up.
RETRY = {"max_retries": 30, "interval_start": 0.5, "interval_step": 0.5, "interval_max": 2.0}


class JobHandlers(Protocol):
    """What a worker runs for long-running jobs (`parley.services.distributed`)."""

    def plan(self, name: str) -> None: ...

    def window(self, name: str, index: int) -> None: ...


# This worker process's job handlers, made once its models are loaded.
_process: dict[str, JobHandlers] = {}


def result_backend(broker_url: str) -> str:
    """Redis keeps results itself; with RabbitMQ they come back as RPC replies."""
    return broker_url if broker_url.startswith(("redis://", "rediss://")) else "rpc://"


def celery_app(broker_url: str) -> Any:
    try:
        from celery import Celery
    except ImportError as missing:
        raise Misconfigured(
            "PARLEY_BROKER_URL needs Celery: pip install 'parley[scale]'"
        ) from missing

    app = Celery("parley", broker=broker_url, backend=result_backend(broker_url))
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        task_queue_max_priority=10,
        task_default_priority=PRIORITIES[0],
        broker_transport_options={
            "priority_steps": list(range(10)),
            "queue_order_strategy": "priority",
            # Redis gives a task taken but never acknowledged (a broker restarted under
            # its worker) to another worker after this long: longer than any task runs.
            "visibility_timeout": 900,
        },
        broker_connection_retry_on_startup=True,
        result_expires=3600,
        worker_hijack_root_logger=False,
        task_publish_retry_policy=RETRY,
    )
    app.task(name=TASK)(_inference)
    # A job's tasks leave their results in the database, none in the backend.
    app.task(name=PLAN_TASK, ignore_result=True)(_plan)
    app.task(name=WINDOW_TASK, ignore_result=True)(_window)
    return app


def _handlers() -> JobHandlers:
    if "jobs" not in _process:
        raise RuntimeError("this worker process has no job handlers")
    return _process["jobs"]


def _plan(name: str) -> None:
    _handlers().plan(name)


def _window(name: str, index: int) -> None:
    _handlers().window(name, index)


def _inference(model: str, audio: str, request: dict[str, Any]) -> dict[str, Any]:
    samples = np.frombuffer(base64.b64decode(audio), np.float32)
    return transcript_to_dict(worker.transcribe(model, samples, _request_from(request)))


def _request_to(request: DecodeRequest) -> dict[str, Any]:
    fields = dataclasses.asdict(request)
    fields["task"] = request.task.value
    return fields


def _request_from(data: dict[str, Any]) -> DecodeRequest:
    return DecodeRequest(
        **{
            **data,
            "candidates": tuple(data["candidates"]),
            "task": Task(data["task"]),
            "phrases": tuple(PhraseHint(**p) for p in data["phrases"]),
        }
    )


class JobTasks:
    """Sends long-running jobs' tasks (`parley.services.distributed.TaskSender`)."""

    def __init__(self, app: Any) -> None:
        self._app = app

    def send(self, tasks: list[tuple[str, int | None]]) -> None:
        for name, index in tasks:
            task, args = (PLAN_TASK, (name,)) if index is None else (WINDOW_TASK, (name, index))
            self._app.send_task(
                task, args=args, queue=BATCH_QUEUE, priority=PRIORITIES[10], retry_policy=RETRY
            )

    def status(self) -> dict[str, float]:
        """What the broker and the workers say now: tasks waiting in each queue, the
        workers answering, their processes, and the tasks they are running."""
        figures: dict[str, float] = {}
        with self._app.connection_for_read() as connection:
            for queue in QUEUES:
                try:
                    declared = connection.default_channel.queue_declare(queue, passive=True)
                    figures[f"queued:{queue}"] = declared.message_count
                except Exception:  # not declared yet: no worker has taken from it
                    figures[f"queued:{queue}"] = 0
        inspect = self._app.control.inspect(timeout=1.0)
        stats = inspect.stats() or {}
        active = inspect.active() or {}
        figures["workers"] = len(stats)
        figures["processes"] = sum(
            s.get("pool", {}).get("max-concurrency", 0) for s in stats.values()
        )
        figures["running"] = sum(len(tasks) for tasks in active.values())
        return figures


class RemoteExecutor:
    """Runs worker functions on the Celery workers: `submit` returns a Future, as the
    embedded pool's process executor does."""

    def __init__(self, app: Any) -> None:
        self._app = app
        # A thread per task in flight waits for its result (the pool bounds how many).
        self._waiters = ThreadPoolExecutor(64, "parley-remote")

    def submit(self, fn: Callable[..., Any], *args: Any, priority: int = 0) -> Future[Any]:
        """`fn` is `worker.transcribe`, the one function the workers run."""
        if fn is not worker.transcribe:
            raise TypeError(f"{fn.__name__} does not run on Celery workers")
        model, samples, request = args
        return self._waiters.submit(self._transcribe, model, samples, request, priority)

    def _transcribe(
        self, model: str, samples: FloatArray, request: DecodeRequest, priority: int
    ) -> Transcript:
        audio = base64.b64encode(np.ascontiguousarray(samples, np.float32).tobytes()).decode()
        sent = self._app.send_task(
            TASK,
            args=(model, audio, _request_to(request)),
            queue=QUEUE,
            priority=PRIORITIES.get(priority, PRIORITIES[0]),
        )
        return transcript_from_dict(sent.get(disable_sync_subtasks=False))

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self._waiters.shutdown(wait=wait, cancel_futures=cancel_futures)


def run_worker(
    settings: EngineSettings,
    broker_url: str,
    *,
    concurrency: int,
    queues: list[str],
    models: list[str],
    jobs: Callable[[JobTasks], JobHandlers],
) -> None:
    """`parley worker`: Celery's prefork worker, each process with its models loaded and
    its own `jobs(sender)` for long-running jobs. A worker told to stop (SIGTERM) takes
    no more tasks and finishes those it has; one killed gives them back to the queue."""
    from celery.app import trace
    from celery.signals import task_prerun, worker_process_init

    # Celery logs what a task returned: here, what people said. Not in the logs.
    trace.LOG_SUCCESS = "Task %(name)s[%(id)s] succeeded in %(runtime)ss"
    app = celery_app(broker_url)

    @worker_process_init.connect  # type: ignore[untyped-decorator]
    def _loaded(**_: Any) -> None:
        worker.init_worker(settings, own_signals=False)
        worker.warm(models)
        _process["jobs"] = jobs(JobTasks(app))

    @task_prerun.connect  # type: ignore[untyped-decorator]
    def _started(task_id: str, task: Any, **_: Any) -> None:
        # Celery logs "received" before a pool process has the task; a warm shutdown in
        # between gives it back to the queue. From here on, the worker finishes it.
        logger.info("Task %s[%s] started", task.name, task_id)

    app.worker_main(
        [
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            f"--queues={','.join(queues)}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ]
    )
