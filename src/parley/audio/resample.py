"""Sample-rate conversion (libsoxr, high quality)."""

from __future__ import annotations

import numpy as np
import soxr

from parley.domain.audio import FloatArray


def resample(samples: FloatArray, from_rate: int, to_rate: int) -> FloatArray:
    """Resample one channel (1-D) or several (shape (channels, frames))."""
    if from_rate == to_rate or samples.shape[-1] == 0:
        return samples.astype(np.float32, copy=False)
    if samples.ndim == 1:
        return np.asarray(soxr.resample(samples, from_rate, to_rate, "HQ"), dtype=np.float32)
    out = soxr.resample(samples.T, from_rate, to_rate, "HQ")
    return np.ascontiguousarray(np.asarray(out, dtype=np.float32).T)
