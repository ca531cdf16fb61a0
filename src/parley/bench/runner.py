"""Runs suites, writes results.json and report.md, prints the headline table."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from parley import __version__
from parley.bench import (
    accuracy,
    longrunning,
    memory,
    overhead,
    scaleout,
    soak,
    streaming,
    throughput,
    tts,
)
from parley.bench.context import BenchContext, SuiteResult
from parley.bench.plots import draw

SUITES: dict[str, Callable[[BenchContext], SuiteResult]] = {
    "accuracy": accuracy.run,
    "throughput": throughput.run,
    "overhead": overhead.run,
    "longrunning": longrunning.run,
    "streaming": streaming.run,
    "tts": tts.run,
    "memory": memory.run,
}
# Run only when named: they take longer than the default run should.
EXTRA_SUITES: dict[str, Callable[[BenchContext], SuiteResult]] = {
    "soak": soak.run,
    "scaleout": scaleout.run,
}


def run_suites(ctx: BenchContext, names: list[str], echo: Callable[[str], None]) -> dict[str, Any]:
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"machine": machine(), "quick": ctx.quick, "suites": {}}
    headline: list[tuple[str, str]] = []
    for name in names:
        echo(f"running {name}...")
        started = time.perf_counter()
        result = {**SUITES, **EXTRA_SUITES}[name](ctx)
        report["suites"][name] = {
            **result.results,
            "suite_seconds": round(time.perf_counter() - started, 1),
        }
        headline += result.headline
    report["headline"] = [{"measure": m, "value": v} for m, v in headline]
    (ctx.out_dir / "results.json").write_text(json.dumps(report, indent=2))
    plots = draw(report["suites"], ctx.out_dir)
    (ctx.out_dir / "report.md").write_text(markdown(report, headline, plots))
    return report


def machine() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "parley": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def markdown(report: dict[str, Any], headline: list[tuple[str, str]], plots: list[Path]) -> str:
    m = report["machine"]
    lines = [
        "# Parley benchmark",
        "",
        f"{m['date']}, Parley {m['parley']}, Python {m['python']}, {m['cpus']} CPUs, "
        f"{m['platform']}{' (quick run)' if report['quick'] else ''}",
        "",
        "| measure | value |",
        "|---|---|",
        *(f"| {measure} | {value} |" for measure, value in headline),
        "",
        *(f"![{p.stem}]({p.name})" for p in plots),
        "",
        "Full figures: `results.json`.",
        "",
    ]
    return "\n".join(lines)
