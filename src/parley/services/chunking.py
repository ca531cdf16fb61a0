"""Long audio -> windows cut in pauses, so parallel decodes neither lose nor double words."""

from __future__ import annotations

from parley.audio.energy import quietest_moment
from parley.domain.audio import FloatArray, Span


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
