"""`parley worker`: a Celery inference worker for servers that share a broker."""

from __future__ import annotations

from typing import Annotated

import typer

from parley.cli.errors import usage
from parley.config import Settings
from parley.engines.device import check_device


def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1, help="Worker processes, each with its own models (default: --workers)."
        ),
    ] = None,
    queues: Annotated[
        str,
        typer.Option(
            help="Queues to take tasks from: parley (live and sync recognition), "
            "parley.batch (long-running jobs), or both (comma-separated)."
        ),
    ] = "parley,parley.batch",
) -> None:
    """Run inference for `parley serve` front ends that share PARLEY_BROKER_URL and
    PARLEY_DATABASE_URL: each process loads the default model once and decodes what the
    servers send, and the windows of long-running jobs."""
    settings: Settings = ctx.obj
    if not settings.broker_url:
        usage("set PARLEY_BROKER_URL (redis://... or amqp://...) to the servers' broker")
    if not settings.database_url:
        usage("set PARLEY_DATABASE_URL to the database the servers share (PostgreSQL)")
    from parley.engines.remote import QUEUES, run_worker

    chosen = [q.strip() for q in queues.split(",") if q.strip()]
    if not chosen or set(chosen) - set(QUEUES):
        usage(f"--queues takes {' and/or '.join(QUEUES)}")
    check_device(settings.device)
    from parley.services.container import distributed_jobs

    run_worker(
        settings.engine_settings(),
        settings.broker_url,
        concurrency=concurrency or settings.workers,
        queues=chosen,
        models=[settings.default_model],
        jobs=lambda sender: distributed_jobs(settings, sender),
    )
