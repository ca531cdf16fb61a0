"""Builds the services from settings; entry points call this once."""

from __future__ import annotations

from dataclasses import dataclass

from parley.audio.decode import decode_audio
from parley.audio.sandbox import DecoderSandbox
from parley.config import Settings
from parley.engines.device import check_device
from parley.engines.pool import EnginePool
from parley.engines.remote import JobTasks, RemoteExecutor, celery_app
from parley.errors import Misconfigured
from parley.services.audio_sources import AudioSources
from parley.services.distributed import DistributedJobs, TaskSender
from parley.services.operations import OperationsService
from parley.services.profanity import ProfanityFilter
from parley.services.streaming import StreamingService
from parley.services.synthesis import SynthesisService
from parley.services.transcription import RecognitionHook, TranscriptionService
from parley.store import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    pool: EnginePool
    transcription: TranscriptionService
    synthesis: SynthesisService
    sources: AudioSources
    operations: OperationsService
    streaming: StreamingService
    decoder: DecoderSandbox | None = None
    jobs: DistributedJobs | None = None  # with a broker: jobs run on the Celery workers

    def close(self) -> None:
        self.pool.shutdown(cancel=True)
        if self.decoder is not None:
            self.decoder.shutdown()


def build_services(
    settings: Settings, *, server: bool = False, on_recognized: RecognitionHook | None = None
) -> Services:
    """`server`: long-lived, so all inference goes to the (warmed) worker processes; a
    one-off command decodes short audio in its own process instead of starting them."""
    check_device(settings.device)
    store = Store(settings.sqlalchemy_url, settings.audio_dir)
    engine_settings = settings.engine_settings()
    profanity = ProfanityFilter(settings.profanity_words)
    if settings.broker_url and server and not settings.database_url:
        raise Misconfigured(
            "PARLEY_BROKER_URL needs PARLEY_DATABASE_URL: the database (PostgreSQL) that "
            "every server and worker shares"
        )
    app = celery_app(settings.broker_url) if settings.broker_url and server else None
    remote = RemoteExecutor(app) if app is not None else None
    pool = EnginePool(
        engine_settings,
        settings.workers,
        settings.model_idle_seconds,
        in_process=not server,
        remote=remote,
    )
    # A server decodes what clients send in child processes, out of harm's way.
    decoder = DecoderSandbox(memory_bytes=settings.decoder_memory_mb << 20) if server else None
    transcription = TranscriptionService(
        pool,
        store,
        default_model=settings.default_model,
        window_seconds=settings.window_seconds,
        profanity=profanity,
        decoder=decoder.decode if decoder else decode_audio,
        on_recognized=on_recognized,
    )
    synthesis = SynthesisService(
        store,
        engine_settings,
        default_voice=settings.default_voice,
        idle_seconds=settings.model_idle_seconds,
    )
    sources = AudioSources(settings.audio_dirs, settings.audio_hosts, settings.fetch_rules())
    operations = OperationsService(store, transcription)
    streaming = StreamingService(pool, store, transcription, profanity, settings.stream_limits())
    jobs = None if app is None else _jobs(settings, store, operations, JobTasks(app))
    return Services(
        settings,
        store,
        pool,
        transcription,
        synthesis,
        sources,
        operations,
        streaming,
        decoder,
        jobs,
    )


def distributed_jobs(settings: Settings, sender: TaskSender) -> DistributedJobs:
    """What a Celery worker process runs long-running jobs with (its models are its own:
    windows are decoded in the process itself)."""
    services = build_services(settings)
    return _jobs(settings, services.store, services.operations, sender)


def _jobs(
    settings: Settings, store: Store, operations: OperationsService, sender: TaskSender
) -> DistributedJobs:
    return DistributedJobs(
        store,
        operations,
        sender,
        budget=settings.job_tasks_per_key,
        per_job=settings.job_tasks_per_job,
    )
