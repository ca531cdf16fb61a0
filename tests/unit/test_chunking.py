"""Long audio is cut only in pauses, into windows that cover it exactly."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from parley.audio.energy import quietest_moment
from parley.services.chunking import plan_windows

RATE = 16000


def talk_with_pauses(seed: int, seconds: float) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Loud noise bursts of 0.5-12 s (speech stand-ins) with 0.3-2 s pauses between."""
    rng = np.random.default_rng(seed)
    samples = np.zeros(int(seconds * RATE), np.float32)
    pauses, t = [], 0.0
    while t < seconds:
        burst = rng.uniform(0.5, 12)
        lo, hi = int(t * RATE), int(min(seconds, t + burst) * RATE)
        samples[lo:hi] = rng.normal(0, 0.2, hi - lo)
        gap = rng.uniform(0.3, 2)
        pauses.append((t + burst, t + burst + gap))
        t += burst + gap
    return samples, pauses


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("target", [30.0, 150.0])
def test_windows_cover_everything_and_cut_only_in_pauses(seed: int, target: float) -> None:
    samples, pauses = talk_with_pauses(seed, 900)
    windows = plan_windows(samples, RATE, target)
    assert windows[0].start == 0
    assert windows[-1].end == len(samples) / RATE
    for a, b in itertools.pairwise(windows):
        assert a.end == b.start
        assert any(lo <= a.end <= hi for lo, hi in pauses), f"cut at {a.end} is not in a pause"
        assert target / 2 <= a.duration <= target


def test_speech_without_pauses_is_cut_at_its_quietest_moment() -> None:
    samples = np.random.default_rng(0).normal(0, 0.3, 200 * RATE).astype(np.float32)
    for quiet in (70.0, 140.0):  # a breath in a long monologue
        samples[int(quiet * RATE) : int((quiet + 0.3) * RATE)] *= 0.01
    windows = plan_windows(samples, RATE, 80.0)
    # Frames are counted from each window's start, so the cut lands within one frame.
    assert [w.end for w in windows] == pytest.approx([70.15, 140.15, 200.0], abs=0.1)


def test_short_audio_is_one_window() -> None:
    assert len(plan_windows(np.zeros(4 * RATE, np.float32), RATE, 60)) == 1


def test_quietest_moment_of_a_range_too_short_to_measure() -> None:
    assert quietest_moment(np.zeros(RATE, np.float32), RATE, 0.5, 0.6) == pytest.approx(0.55)
