"""Long audio -> windows cut in pauses, so parallel decodes neither lose nor double words."""

from __future__ import annotations

from parley.audio.energy import quietest_moment
from parley.domain.audio import FloatArray, Span

MIN_CHUNK_SECONDS = 30.0


def chunk_length(duration: float, workers: int, max_seconds: float) -> float:
    """Two windows per worker keep every worker busy to the end; never below 30 s, where
    Whisper's fixed 30 s window would be paid for partly empty."""
    return max(MIN_CHUNK_SECONDS, min(max_seconds, duration / (2 * max(1, workers))))


def plan_windows(samples: FloatArray, rate: int, target: float) -> list[Span]:
    """Contiguous windows over the whole audio, each at most `target` seconds, each cut at
    the quietest moment of its second half."""
    duration = len(samples) / rate
    windows: list[Span] = []
    start = 0.0
    while duration - start > target:
        cut = quietest_moment(samples, rate, start + target / 2, start + target)
        windows.append(Span(start, cut))
        start = cut
    windows.append(Span(start, duration))
    return windows
