"""Peak resident memory of one Parley process with the default models loaded and used."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from parley.bench.context import BenchContext, SuiteResult


def run(ctx: BenchContext) -> SuiteResult:
    sample = ctx.speech[0].data
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.wav"
        clip.write_bytes(sample)
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "parley.bench.memory", str(ctx.settings.data_dir), str(clip)],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
    peak_mb = json.loads(done.stdout)["peak_rss_mb"]
    return SuiteResult(
        "memory",
        {
            "peak_rss_mb": peak_mb,
            "what": "one process: whisper-base and the default voice loaded, "
            "one transcription and one synthesis done",
        },
        [("peak memory, default models", f"{peak_mb:.0f} MB")],
    )


def _probe(data_dir: Path, clip: Path) -> None:
    from parley.config import Settings
    from parley.domain.speech import SynthesisOptions
    from parley.domain.transcript import RecognitionOptions
    from parley.services.container import build_services
    from parley.services.transcription import AudioInput

    services = build_services(Settings(data_dir=data_dir, workers=1))
    services.transcription.transcribe(AudioInput(clip.read_bytes()), RecognitionOptions())
    services.synthesis.synthesize("Memory check. One, two, three.", SynthesisOptions())
    services.close()
    print(json.dumps({"peak_rss_mb": round(_peak_kb() / 1024, 1)}))


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
    _probe(Path(sys.argv[1]), Path(sys.argv[2]))
