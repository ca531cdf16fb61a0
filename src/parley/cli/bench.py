"""`parley bench [SUITE...]`"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from parley.bench.context import BenchContext
from parley.bench.runner import EXTRA_SUITES, SUITES, run_suites
from parley.bench.speech import BUNDLED_SPEECH, HELD_OUT_SPEECH, load_speech_set
from parley.cli.errors import fail
from parley.errors import InvalidArgument, ParleyError


def bench(
    ctx: typer.Context,
    suites: Annotated[
        list[str] | None,
        typer.Argument(
            help=f"Suites: {', '.join(SUITES)} (default: all); also "
            f"{', '.join(EXTRA_SUITES)} (soak: sync, long-running and live load with a "
            "SIGKILL; scaleout: Celery workers against the embedded pool, which needs "
            "PARLEY_BROKER_URL and a PostgreSQL PARLEY_DATABASE_URL)."
        ),
    ] = None,
    speech_dir: Annotated[
        Path,
        typer.Option(
            help="The tuning set: NAME.wav (or .flac) + NAME.ref pairs; default: the one "
            "Parley ships."
        ),
    ] = BUNDLED_SPEECH,
    held_out_dir: Annotated[
        Path | None,
        typer.Option(
            help="A held-out set reported beside the tuning set (accuracy and streaming); "
            "default: the one Parley ships."
        ),
    ] = HELD_OUT_SPEECH,
    out: Annotated[Path, typer.Option(help="Where results.json and report.md go.")] = Path(
        "bench-out"
    ),
    quick: Annotated[
        bool, typer.Option(help="Tiny inputs: checks the command works, in seconds.")
    ] = False,
    whisperlive: Annotated[
        Path | None,
        typer.Option(
            envvar="PARLEY_BENCH_WHISPERLIVE",
            help="A Python with whisper-live installed (scripts/install-whisperlive): the "
            "streaming suite runs it on the held-out track beside Parley.",
        ),
    ] = None,
) -> None:
    """Measure accuracy, throughput, synthesis speed and memory on this machine."""
    chosen = suites or list(SUITES)
    try:
        known = {**SUITES, **EXTRA_SUITES}
        unknown = [s for s in chosen if s not in known]
        if unknown:
            raise InvalidArgument(
                f"unknown suite(s): {', '.join(unknown)}; known: {', '.join(known)}"
            )
        speech = load_speech_set(speech_dir)
        held_out = load_speech_set(held_out_dir) if held_out_dir else []
        if whisperlive is not None and not whisperlive.is_file():
            raise InvalidArgument(f"--whisperlive: no Python at {whisperlive}", field="whisperlive")
        # What the suites transcribe and synthesize is kept apart and removed after.
        with tempfile.TemporaryDirectory(prefix="parley-bench-") as scratch:
            settings = ctx.obj.model_copy(update={"data_dir": Path(scratch), "database_url": None})
            report = run_suites(
                BenchContext(
                    settings,
                    speech,
                    quick,
                    out,
                    held_out,
                    whisperlive,
                    cluster_database=ctx.obj.database_url,
                ),
                chosen,
                lambda line: print(line, file=sys.stderr),
            )
    except (ParleyError, OSError) as error:
        fail(error)
    width = max(len(row["measure"]) for row in report["headline"])
    for row in report["headline"]:
        print(f"{row['measure']:<{width}}  {row['value']}")
    print(f"\nwritten to {out / 'results.json'} and {out / 'report.md'}", file=sys.stderr)
