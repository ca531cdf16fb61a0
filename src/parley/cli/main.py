"""`parley`: transcribe, speak, list models, browse the history."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from typer import Abort
from typer._click.exceptions import ClickException, NoArgsIsHelpError

from parley import __version__
from parley.cli import bench, history, keys, models, say, serve, transcribe, worker
from parley.cli.errors import EXIT_USAGE, settings_error
from parley.cli.global_options import DeviceChoice, hoist_global_options
from parley.config import Settings
from parley.logging_setup import configure

app = typer.Typer(
    name="parley",
    help="Offline speech-to-text and text-to-speech. The global options (--data-dir, "
    "--workers, --device, -v) go before or after the command.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command("transcribe")(transcribe.transcribe)
app.command("say")(say.say)
app.command("models")(models.models)
app.command("bench")(bench.bench)
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)
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
            help="Where the database and audio live.", envvar="PARLEY_DATA_DIR", show_envvar=False
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Inference worker processes for long audio.")
    ] = None,
    device: Annotated[DeviceChoice | None, typer.Option(help="auto, cpu or cuda.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    configure(verbose)
    overrides = {"data_dir": data_dir, "workers": workers, "device": device and device.value}
    try:
        settings = Settings()
    except ValidationError as error:
        settings_error(error)
    ctx.obj = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})


def main() -> None:
    """Run a command; a bad command line is one line on stderr too (exit 2)."""
    try:
        code = app(hoist_global_options(sys.argv[1:]), prog_name="parley", standalone_mode=False)
    except NoArgsIsHelpError as shown:
        print(shown.format_message(), file=sys.stderr)
        code = EXIT_USAGE
    except ClickException as error:
        print(f"parley: error: {error.format_message()}", file=sys.stderr)
        code = error.exit_code
    except Abort:
        code = 130
    sys.exit(code if isinstance(code, int) else 0)
