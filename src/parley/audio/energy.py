"""Loudness over time: where audio can be cut without cutting a word."""

from __future__ import annotations

import numpy as np

from parley.domain.audio import FloatArray

FRAME_SECONDS = 0.1


def quietest_moment(
    samples: FloatArray, rate: int, start: float, end: float, width: float = 0.3
) -> float:
    """The middle of the quietest `width`-second stretch between `start` and `end`
    (seconds), measured in 0.1 s frames: in speech, almost always a pause. Of stretches
    about equally quiet (digital silence, a steady noise floor), the latest wins."""
    frame = int(FRAME_SECONDS * rate)
    lo = int(start * rate)
    count = (int(end * rate) - lo) // frame
    span = max(1, round(width / FRAME_SECONDS))
    if count < span:
        return (start + end) / 2
    energy = np.square(samples[lo : lo + count * frame].reshape(count, frame)).mean(axis=1)
    stretch = np.convolve(energy, np.ones(span), mode="valid")
    best = int(np.flatnonzero(stretch <= stretch.min() * 1.5 + 1e-9)[-1])
    return (lo + (best + span / 2) * frame) / rate
