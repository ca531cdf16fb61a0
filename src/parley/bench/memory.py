"""Peak resident memory of one Parley process with the default models loaded and used,
and of one with each speech recognition model loaded and used (with the worker process
a combination of models reads in: its peak as the kernel reports it, which also counts
what it was started with)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from parley.bench.context import BenchContext, SuiteResult
from parley.engines.registry import STT_MODELS


def run(ctx: BenchContext) -> SuiteResult:
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.wav"
        clip.write_bytes(ctx.speech[0].data)
        default = _measure(ctx, clip, None)
        models = {} if ctx.quick else {name: _measure(ctx, clip, name) for name in STT_MODELS}
    headline = [("peak memory, default models", f"{default:.0f} MB")]
    headline += [(f"peak memory, {name} alone", f"{mb:.0f} MB") for name, mb in models.items()]
    return SuiteResult(
        "memory",
        {
            "peak_rss_mb": default,
            "what": "one process: whisper-base and the default voice loaded, "
            "one transcription and one synthesis done",
            "per_model_peak_rss_mb": models,
        },
        headline,
    )


def _measure(ctx: BenchContext, clip: Path, model: str | None) -> float:
    command = [sys.executable, "-m", "parley.bench.memory", str(ctx.settings.data_dir), str(clip)]
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*command, *([model] if model else [])],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return float(json.loads(done.stdout)["peak_rss_mb"])


def _probe(data_dir: Path, clip: Path, model: str | None) -> None:
    """One transcription, and with the default models one synthesis too."""
    from parley.config import Settings
    from parley.domain.speech import SynthesisOptions
    from parley.domain.transcript import RecognitionOptions
    from parley.services.container import build_services
    from parley.services.transcription import AudioInput

    services = build_services(Settings(data_dir=data_dir, workers=1))
    options = RecognitionOptions(model=model, language="en" if model else None)
    services.transcription.transcribe(AudioInput(clip.read_bytes()), options)
    if model is None:
        services.synthesis.synthesize("Memory check. One, two, three.", SynthesisOptions())
    services.close()
    # A combination of models reads in a worker process: its peak counts too.
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"peak_rss_mb": round((_peak_kb() + workers) / 1024, 1)}))


def _peak_kb() -> int:
    """This process's own high-water mark. getrusage's ru_maxrss would do elsewhere, but
    on Linux it carries the parent's peak across fork and exec."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    _probe(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
