"""Piper: time to the first audio chunk and real-time factor, short and paragraph input."""

from __future__ import annotations

import statistics
import time

from parley.bench.context import BenchContext, SuiteResult
from parley.domain.speech import SynthesisOptions

SHORT = "Hello, how can I help you today?"
PARAGRAPH = (
    "The museum opens at nine in the morning on weekdays. Tickets cost $12.50 for adults, "
    "and children under twelve go in free. Guided tours leave from the main hall every hour. "
    "Please leave large bags in the cloakroom on the ground floor. We hope you enjoy your visit."
)


def run(ctx: BenchContext) -> SuiteResult:
    repeats = 1 if ctx.quick else 5
    results = {}
    headline = []
    with ctx.services(workers=1) as services:
        options = services.synthesis.validate(SHORT, SynthesisOptions())
        list(services.synthesis.stream(SHORT, options))  # load the voice outside the timing
        for name, text in (("short", SHORT), ("paragraph", PARAGRAPH)):
            firsts, rtfs, audio_seconds = [], [], 0.0
            for _ in range(repeats):
                started = time.perf_counter()
                first = None
                audio_seconds = 0.0
                for chunk in services.synthesis.stream(text, options):
                    first = first if first is not None else time.perf_counter() - started
                    audio_seconds += len(chunk.samples) / chunk.sample_rate
                total = time.perf_counter() - started
                firsts.append(first or total)
                rtfs.append(total / audio_seconds)
            results[name] = {
                "characters": len(text),
                "audio_seconds": round(audio_seconds, 2),
                "first_chunk_ms_median": round(1000 * statistics.median(firsts), 1),
                "real_time_factor_median": round(statistics.median(rtfs), 4),
                "repeats": repeats,
            }
            headline.append(
                (
                    f"TTS {name}",
                    f"first chunk {results[name]['first_chunk_ms_median']:.0f} ms, "
                    f"RTF {results[name]['real_time_factor_median']:.3f}",
                )
            )
    return SuiteResult("tts", results, headline)
