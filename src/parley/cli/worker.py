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
) -> None:
    """Run inference for `parley serve` front ends that share PARLEY_BROKER_URL: each
    process loads the default model once and decodes what the servers send."""
    settings: Settings = ctx.obj
    if not settings.broker_url:
        usage("set PARLEY_BROKER_URL (redis://... or amqp://...) to the servers' broker")
    check_device(settings.device)
    from parley.engines.remote import run_worker

    run_worker(
        settings.engine_settings(),
        settings.broker_url,
        concurrency or settings.workers,
        [settings.default_model],
    )
