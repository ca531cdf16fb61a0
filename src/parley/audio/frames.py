"""Decoded FFmpeg frames -> float32 arrays of shape (channels, samples).

Frames are converted to packed (interleaved) float and copied out of the frame's single
buffer: PyAV's `to_ndarray` on planar frames with many channels reads past its buffers
and crashes the process (seen with 8-channel audio)."""

from __future__ import annotations

import av
import numpy as np

from parley.domain.audio import FloatArray


def packed_resampler(layout: av.AudioLayout | str | None = None) -> av.AudioResampler:
    """A resampler that only converts to packed float32, keeping rate and layout."""
    return av.AudioResampler(format="flt", layout=layout, rate=None)


def frame_samples(frame: av.AudioFrame) -> FloatArray:
    """A packed float frame (from `packed_resampler`) as (channels, samples)."""
    channels = len(frame.layout.channels)
    count = frame.samples * channels
    flat = np.frombuffer(memoryview(frame.planes[0]), dtype=np.float32, count=count)
    return np.ascontiguousarray(flat.reshape(frame.samples, channels).T)
