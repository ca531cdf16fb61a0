"""`parley`: transcribe, speak, list models, browse the history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parley import __version__
from parley.cli import bench, history, keys, models, say, serve, transcribe
from parley.config import Settings
from parley.logging_setup import configure

app = typer.Typer(
    name="parley",
    help="Offline speech-to-text and text-to-speech.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("transcribe")(transcribe.transcribe)
app.command("say")(say.say)
app.command("models")(models.models)
app.command("bench")(bench.bench)
app.command("serve")(serve.serve)
app.add_typer(history.app, name="history")
app.add_typer(keys.app, name="keys")


def _version(value: bool) -> None:
    if value:
        print(f"parley {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="Where the database, audio and model cache live.", envvar="PARLEY_DATA_DIR"
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Inference worker processes for long audio.")
    ] = None,
    device: Annotated[str | None, typer.Option(help="auto, cpu or cuda.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    configure(verbose)
    overrides = {"data_dir": data_dir, "workers": workers, "device": device}
    ctx.obj = Settings().model_copy(update={k: v for k, v in overrides.items() if v is not None})


def main() -> None:
    app()
