"""`parley serve`: HTTP and gRPC on one event loop, the job runner beside them, and a clean
stop on SIGTERM (requests in flight finish, a running job is left to resume)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import resource
import signal
import socket
from collections.abc import Callable, Iterator

import anyio
import grpc
import uvicorn
from grpc_health.v1 import health

from parley.api.google.speech import GoogleSpeech
from parley.api.google.tts import GoogleTextToSpeech
from parley.api.grpc.server import create_grpc_server, set_serving
from parley.api.http.app import Readiness, create_app
from parley.api.metrics import Metrics
from parley.api.openai.audio import OpenAIAudio
from parley.api.wyoming.session import WyomingSession
from parley.api.wyoming.wire import MAX_LINE_BYTES
from parley.config import Settings, is_loopback
from parley.errors import Misconfigured
from parley.jobs.cluster import ClusterJobs
from parley.jobs.runner import JobRunner
from parley.services.access import AccessService
from parley.services.container import Services, build_services
from parley.services.housekeeping import tidy
from parley.store import Store

logger = logging.getLogger(__name__)

GRACE_SECONDS = 30.0


class _Uvicorn(uvicorn.Server):
    """Signals are handled once, for both servers, by `serve`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def check_access(settings: Settings, store: Store) -> AccessService:
    """Keys are required off loopback addresses; refuse to start when none exist."""
    required = settings.keys_required
    if required and not store.keys.any_active():
        raise Misconfigured(
            f"serving on {settings.host} needs an API key and none exists: create one with "
            "`parley keys create NAME`, or pass --insecure-no-keys to serve anyone"
            if not is_loopback(settings.host)
            else "keys are required and none exists: create one with `parley keys create NAME`"
        )
    if required and settings.wyoming_port is not None and not settings.wyoming_without_keys:
        raise Misconfigured(
            "the Wyoming protocol has no API keys and this server requires them: set "
            "PARLEY_WYOMING_WITHOUT_KEYS=true to serve Wyoming to anyone who can reach its port"
        )
    if not is_loopback(settings.host) and not required:
        logger.warning(
            "serving %s without API keys: anyone who can reach it may use it", settings.host
        )
    return AccessService(store.keys, required=required)


class _RefusedHandshakes(logging.Filter):
    """uvicorn logs an ERROR for every WebSocket refused with an HTTP status (429, 401,
    403), which is Parley answering as it should; the access log has the request."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "ASGI callable returned without completing handshake."


def _set_up_logs() -> None:
    logging.getLogger("parley.access").setLevel(logging.INFO)
    logging.getLogger("uvicorn.error").addFilter(_RefusedHandshakes())


async def serve(settings: Settings) -> None:
    _set_up_logs()
    tls = _tls(settings)
    metrics = Metrics()
    listener = _listen(settings.host, settings.http_port, "HTTP")
    try:
        # The system says why a port cannot be had; gRPC would not.
        for port, what in ((settings.grpc_port, "gRPC"), (settings.wyoming_port, "Wyoming")):
            if port:
                _listen(settings.host, port, what).close()
        services = build_services(settings, server=True, on_recognized=metrics.recognized)
    except BaseException:
        listener.close()
        raise
    try:
        access = check_access(settings, services.store)
    except Misconfigured:
        services.close()
        listener.close()
        raise
    runner = _jobs(services)
    speech = GoogleSpeech(services, on_submit=runner.submitted, jobs_changed=runner.changed)
    synthesis = GoogleTextToSpeech(services.synthesis)
    readiness = Readiness(problems=lambda: _problems(services))
    _gauges(metrics, services)
    if isinstance(runner, ClusterJobs):
        _cluster_gauges(metrics, runner)
    grpc_server, checker = create_grpc_server(speech, synthesis, access, metrics)
    try:
        grpc_port = _grpc_listen(grpc_server, settings, tls)
    except Misconfigured:
        services.close()
        listener.close()
        raise
    http = _Uvicorn(
        uvicorn.Config(
            create_app(
                speech,
                synthesis,
                OpenAIAudio(services),
                store=services.store,
                readiness=readiness,
                settings=settings,
                access=access,
                metrics=metrics,
            ),
            log_config=None,
            ssl_certfile=settings.tls_cert,
            ssl_keyfile=settings.tls_key,
        )
    )
    await set_serving(checker, False)
    await grpc_server.start()
    wyoming = await _wyoming(settings, services)
    print(
        f"parley: serving HTTP on {'https' if tls else 'http'}://{settings.host}:"
        f"{listener.getsockname()[1]} "
        f"and gRPC on {settings.host}:{grpc_port}",
        flush=True,
    )
    stop = anyio.Event()
    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_on_signals, stop)
            tasks.start_soon(http.serve, [listener])
            tasks.start_soon(runner.run)
            tasks.start_soon(_warm, services, readiness, checker, metrics)
            tasks.start_soon(_housekeeping, services, stop)
            await stop.wait()
            await _stopping(runner, http, grpc_server, wyoming)
            tasks.cancel_scope.deadline = anyio.current_time() + GRACE_SECONDS
    finally:
        services.close()


def _jobs(services: Services) -> JobRunner | ClusterJobs:
    """Jobs run by this server's pool, or (with a broker) by the Celery workers."""
    settings = services.settings
    if services.jobs is not None:
        return ClusterJobs(services.jobs, stall_seconds=settings.job_stall_seconds)
    return JobRunner(
        services.store.operations,
        services.operations.run,
        lease_seconds=settings.job_lease_seconds,
        poll_seconds=settings.job_poll_seconds,
    )


async def _stopping(
    runner: JobRunner | ClusterJobs,
    http: _Uvicorn,
    grpc_server: grpc.aio.Server,
    wyoming: asyncio.Server | None,
) -> None:
    """New work is refused; what is in flight has GRACE_SECONDS to finish."""
    logger.info("stopping: finishing requests in flight")
    runner.stop()
    http.should_exit = True
    if wyoming is not None:
        wyoming.close()
    await grpc_server.stop(GRACE_SECONDS)


async def _wyoming(settings: Settings, services: Services) -> asyncio.Server | None:
    """The Wyoming server, when a port is set."""
    if settings.wyoming_port is None:
        return None
    idle = settings.stream_idle_seconds or 60.0

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await WyomingSession(services, reader, writer, idle).run()

    server = await asyncio.start_server(
        connected, settings.host, settings.wyoming_port, limit=MAX_LINE_BYTES
    )
    port = server.sockets[0].getsockname()[1]
    print(f"parley: serving Wyoming on tcp://{settings.host}:{port}", flush=True)
    return server


async def _housekeeping(services: Services, stop: anyio.Event) -> None:
    settings = services.settings
    while not stop.is_set():
        try:
            await anyio.to_thread.run_sync(
                lambda: tidy(
                    services.store,
                    settings.retention_days,
                    stale_stream_seconds=settings.stream_stale_seconds,
                )
            )
        except Exception:
            logger.exception("housekeeping failed; trying again later")
        with anyio.move_on_after(settings.housekeeping_seconds):
            await stop.wait()


def _listen(host: str, port: int, what: str) -> socket.socket:
    try:
        return socket.create_server((host, port))
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        hint = "; choose another port" if error.errno == errno.EADDRINUSE else ""
        raise Misconfigured(f"cannot listen for {what} on {host}:{port}: {reason}{hint}") from None


def _grpc_listen(
    server: grpc.aio.Server, settings: Settings, tls: tuple[bytes, bytes] | None
) -> int:
    address = f"{settings.host}:{settings.grpc_port}"
    try:
        if tls:
            return server.add_secure_port(address, grpc.ssl_server_credentials([tls]))
        return server.add_insecure_port(address)
    except RuntimeError:
        raise Misconfigured(f"cannot listen for gRPC on {address}") from None


def _tls(settings: Settings) -> tuple[bytes, bytes] | None:
    """(key, certificate chain) in PEM, read once; both or neither must be set."""
    if settings.tls_cert is None and settings.tls_key is None:
        return None
    if settings.tls_cert is None or settings.tls_key is None:
        raise Misconfigured("TLS needs both --tls-cert and --tls-key")
    try:
        return settings.tls_key.read_bytes(), settings.tls_cert.read_bytes()
    except OSError as error:
        raise Misconfigured(f"cannot read the TLS files: {error}") from error


def _problems(services: Services) -> list[str]:
    found = []
    if services.pool.recovering:
        found.append("an inference worker died; its replacement has not finished a task yet")
    limit = services.settings.max_memory_mb
    used = _resident_mb()
    if limit is not None and used > limit:
        found.append(f"the server uses {used:.0f} MB, over its limit of {limit} MB")
    return found


def _resident_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except OSError:  # no /proc (macOS): the peak instead
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20)
    return pages * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


def _gauges(metrics: Metrics, services: Services) -> None:
    pool, decoder = services.pool, services.decoder
    metrics.gauge("parley_queue_depth", "Inference tasks waiting for a worker", pool.queued)
    metrics.gauge(
        "parley_open_streams", "Live streams open", lambda: services.streaming.open_streams
    )
    metrics.gauge(
        "parley_worker_restarts", "Times inference workers were replaced", lambda: pool.restarts
    )
    metrics.gauge(
        "parley_decoder_crashes",
        "Audio decoder processes lost to an input",
        lambda: decoder.crashes if decoder else 0,
    )


def _cluster_gauges(metrics: Metrics, cluster: ClusterJobs) -> None:
    """The whole cluster's figures (every front end reports the same), read every
    STATUS_SECONDS from the broker, the workers and the database."""

    def part(prefix: str) -> Callable[[], dict[str, float]]:
        return lambda: {
            key.split(":", 1)[1]: value
            for key, value in cluster.status.items()
            if key.startswith(f"{prefix}:")
        }

    def figure(key: str) -> Callable[[], float]:
        return lambda: cluster.status.get(key, 0.0)

    metrics.gauges(
        "parley_cluster_queued_tasks", "Tasks waiting in the broker", "queue", part("queued")
    )
    metrics.gauges("parley_cluster_jobs", "Long-running jobs not finished", "state", part("jobs"))
    metrics.gauge("parley_cluster_workers", "Celery workers answering", figure("workers"))
    metrics.gauge(
        "parley_cluster_worker_processes", "Their inference processes", figure("processes")
    )
    metrics.gauge("parley_cluster_tasks_running", "Tasks the workers run now", figure("running"))
    metrics.gauge(
        "parley_cluster_job_tasks", "Long-running jobs' tasks sent, not done", figure("job_tasks")
    )


async def _warm(
    services: Services,
    readiness: Readiness,
    checker: health.aio.HealthServicer,
    metrics: Metrics,
) -> None:
    started = anyio.current_time()
    try:
        await anyio.to_thread.run_sync(services.pool.warm, [services.settings.default_model])
    except (EOFError, OSError):  # a worker gone while loading, as when the server is stopped
        logger.warning("an inference worker exited while loading the models")
        return
    metrics.model_load.set(anyio.current_time() - started)
    readiness.ready = True
    await set_serving(checker, True)
    logger.info("ready: models loaded in %d worker(s)", services.pool.workers)


async def _on_signals(stop: anyio.Event) -> None:
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async for _ in signals:
            stop.set()
            return
