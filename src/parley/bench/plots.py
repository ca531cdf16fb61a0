"""PNG plots of a benchmark report, drawn from its results (whichever suites ran)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def draw(suites: dict[str, Any], out_dir: Path) -> list[Path]:
    """Draw every plot the results allow; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    drawers: dict[str, Callable[[Any, Any], None]] = {
        "accuracy": _accuracy,
        "throughput": _throughput,
        "streaming": _streaming,
        "tts": _tts,
    }
    return [
        _figure(out_dir / f"{name}.png", drawer, suites[name])
        for name, drawer in drawers.items()
        if name in suites
    ]


def _figure(path: Path, plot: Callable[[Any, Any], None], results: Any) -> Path:
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 4.5), layout="constrained")
    plot(axes, results)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def _accuracy(axes: Any, results: dict[str, Any]) -> None:
    models = results["models"]
    groups = [
        (name, kind)
        for name, scores in next(iter(models.values())).items()
        for kind in scores["kinds"]
    ]
    width = 0.8 / len(models)
    for index, (model, sets) in enumerate(models.items()):
        values = [
            100 * (sets[name]["kinds"].get(kind, {}).get("wer") or 0) for name, kind in groups
        ]
        positions = [i + index * width for i in range(len(groups))]
        axes.bar(positions, values, width, label=model)
    labels = [f"{name}: {kind}" for name, kind in groups]
    axes.set_xticks([i + 0.4 - width / 2 for i in range(len(groups))], labels, rotation=45)
    axes.set_ylabel("WER %")
    axes.set_title("Word error rate by speech set and kind of speech")
    axes.legend()


def _throughput(axes: Any, results: dict[str, Any]) -> None:
    rows = [
        (f"{key} ({name})", run)
        for name, runs in results["sets"].items()
        for key, run in runs.items()
    ]
    axes.barh([n for n, _ in rows], [1 / r["real_time_factor"] for _, r in rows])
    axes.set_xlabel("audio seconds per compute second (higher is faster)")
    axes.set_title(f"{results['audio_seconds'] / 60:.0f} minutes of speech, {results['model']}")


def _streaming(axes: Any, results: dict[str, Any]) -> None:
    parts = [(name, part) for name, part in results.items() if isinstance(part, dict)]
    runs = [(name, run) for name, part in parts for run in part.values()]
    for name, run in runs:
        if not isinstance(run, dict) or not run.get("final_latencies_s"):
            continue
        for measure, style in (("final_latencies_s", "-"), ("first_interim_latencies_s", ":")):
            values = sorted(1000 * v for v in run[measure])
            shares = [(i + 1) / len(values) for i in range(len(values))]
            label = f"{name}, {run['streams']} stream(s): {measure.split('_latencies')[0]}"
            axes.step(values, shares, style, where="post", label=label)
    axes.set_xlabel("latency, ms (final: from end of utterance; interim: from speech onset)")
    axes.set_ylabel("share of utterances")
    axes.set_title("Live streaming latency")
    axes.legend(fontsize="small")


def _tts(axes: Any, results: dict[str, Any]) -> None:
    names = [n for n in ("short", "paragraph") if n in results]
    axes.bar(names, [results[n]["first_chunk_ms_median"] for n in names])
    axes.set_ylabel("ms to the first audio chunk (median)")
    axes.set_title("Piper speech synthesis")
