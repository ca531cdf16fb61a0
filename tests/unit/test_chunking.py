"""Long audio is cut only in pauses, into windows that cover it exactly."""

from __future__ import annotations

import itertools
import random

import pytest

from parley.domain.audio import Span
from parley.services.chunking import MIN_CHUNK_SECONDS, chunk_length, plan_windows, spans_within


def speech_with_pauses(seed: int, duration: float) -> list[Span]:
    rng = random.Random(seed)
    spans, t = [], rng.uniform(0, 2)
    while t < duration - 1:
        end = min(duration, t + rng.uniform(0.5, 25))
        spans.append(Span(t, end))
        t = end + rng.uniform(0.05, 3)
    return spans


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("target", [30.0, 150.0])
def test_windows_cover_everything_and_cut_only_in_silence(seed: int, target: float) -> None:
    duration = 3600.0
    speech = speech_with_pauses(seed, duration)
    windows = plan_windows(speech, duration, target)
    assert windows[0].start == 0
    assert windows[-1].end == duration
    for a, b in itertools.pairwise(windows):
        assert a.end == b.start
        assert not any(s.start < a.end < s.end for s in speech), "a cut inside speech"
    assert all(w.duration <= target + 1e-9 for w in windows)
    # Cuts prefer the second half of each window, so windows are not needlessly short.
    assert len(windows) <= 2 * duration / target + 1


def test_speech_spans_move_into_their_window() -> None:
    speech = [Span(1, 2), Span(9, 12), Span(20, 21)]
    assert spans_within(speech, Span(10, 20.5)) == (Span(0, 2), Span(10, 10.5))


def test_short_audio_is_one_window() -> None:
    assert plan_windows([Span(0.5, 3)], 4.0, 60) == [Span(0, 4.0)]


def test_chunk_length_keeps_two_windows_per_worker() -> None:
    assert chunk_length(600, 2, 300) == 150
    assert chunk_length(600, 1, 300) == 300
    assert chunk_length(10, 8, 300) == MIN_CHUNK_SECONDS
    assert chunk_length(36000, 2, 300) == 300
