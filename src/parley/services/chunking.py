"""Long audio -> windows cut in silences, so parallel decodes neither lose nor double words."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from parley.domain.audio import Span

MIN_CHUNK_SECONDS = 30.0


def chunk_length(duration: float, workers: int, max_seconds: float) -> float:
    """Two windows per worker keep every worker busy to the end; never below 30 s, where
    Whisper's fixed 30 s window would be paid for partly empty."""
    return max(MIN_CHUNK_SECONDS, min(max_seconds, duration / (2 * max(1, workers))))


def plan_windows(speech: Sequence[Span], duration: float, target: float) -> list[Span]:
    """Contiguous windows over [0, duration], each at most `target` long where the speech
    allows, cut in the middle of the widest pause in its second half."""
    windows: list[Span] = []
    start = 0.0
    while duration - start > target:
        cut = _best_cut(speech, start, target)
        windows.append(Span(start, cut))
        start = cut
    windows.append(Span(start, duration))
    return windows


def _best_cut(speech: Sequence[Span], start: float, target: float) -> float:
    limit = start + target
    gaps = [
        (nxt.start - cur.end, (cur.end + nxt.start) / 2)
        for cur, nxt in pairwise(speech)
        if start < (cur.end + nxt.start) / 2 <= limit
    ]
    preferred = [g for g in gaps if g[1] > start + target / 2] or gaps
    if preferred:
        return max(preferred)[1]
    # No pause at all up to the limit: cut in silence after the last speech before it,
    # or (speech without a single pause, which the VAD's span cap rules out) at the limit.
    ends = [s.end for s in speech if start < s.end <= limit]
    return max(ends) if ends else limit


def spans_within(speech: Sequence[Span], window: Span) -> tuple[Span, ...]:
    """The parts of `speech` inside `window`, relative to its start."""
    return tuple(
        Span(max(s.start, window.start) - window.start, min(s.end, window.end) - window.start)
        for s in speech
        if s.end > window.start and s.start < window.end
    )
