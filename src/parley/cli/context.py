"""The services a command works with, built once from the settings of the invocation."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import typer

from parley.cli.errors import fail
from parley.config import Settings
from parley.errors import ParleyError
from parley.services.container import Services, build_services


@contextlib.contextmanager
def services(ctx: typer.Context) -> Iterator[Services]:
    settings: Settings = ctx.obj
    try:
        built = build_services(settings)
    except ParleyError as error:
        fail(error)
    except OSError as error:
        fail(error, str(settings.data_dir))
    try:
        yield built
    finally:
        built.close()
