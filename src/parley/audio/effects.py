"""Changes a synthesis request may ask for after the voice has spoken: pitch, gain and
the telephone band. FFmpeg's filters (through PyAV) do the signal work."""

from __future__ import annotations

import itertools
import math

import av
import numpy as np

from parley.domain.audio import FloatArray

# FFmpeg's atempo takes factors from 0.5 to 2 in one step on older builds: chain them.
_ATEMPO_RANGE = (0.5, 2.0)
TELEPHONE_BAND_HZ = (300, 3400)


def apply_effects(
    samples: FloatArray,
    rate: int,
    *,
    pitch_semitones: float = 0.0,
    gain_db: float = 0.0,
    telephone: bool = False,
) -> FloatArray:
    """Mono float32 at `rate` in, the same length (give or take a frame) and rate out."""
    filters: list[tuple[str, str]] = []
    if pitch_semitones:
        # Played faster (higher), brought back to the rate, then stretched to its length.
        factor = 2 ** (pitch_semitones / 12)
        filters += [("asetrate", str(round(rate * factor))), ("aresample", str(rate))]
        filters += [("atempo", f"{step:.6f}") for step in _tempo_steps(1 / factor)]
    if telephone:
        low, high = TELEPHONE_BAND_HZ
        # Each is a two-pole filter (12 dB an octave): twice over, as steep as a line.
        filters += [("highpass", f"f={low}"), ("lowpass", f"f={high}")] * 2
    out = _filtered(samples, rate, filters) if filters and len(samples) else samples
    if gain_db:
        out = out * np.float32(10 ** (gain_db / 20))
    return np.clip(out, -1.0, 1.0).astype(np.float32)


def _tempo_steps(factor: float) -> list[float]:
    low, high = _ATEMPO_RANGE
    count = max(1, math.ceil(abs(math.log(factor)) / math.log(high)))
    step = factor ** (1 / count)
    assert low <= step <= high
    return [step] * count


def _filtered(samples: FloatArray, rate: int, filters: list[tuple[str, str]]) -> FloatArray:
    graph = av.filter.Graph()
    nodes = [graph.add_abuffer(format="flt", sample_rate=rate, layout="mono")]
    nodes += [graph.add(name, args) for name, args in filters]
    nodes.append(graph.add("abuffersink"))
    for before, after in itertools.pairwise(nodes):
        before.link_to(after)
    graph.configure()
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(samples, np.float32)[None, :], format="flt", layout="mono"
    )
    frame.sample_rate = rate
    frame.pts = 0
    graph.push(frame)
    graph.push(None)
    pieces = []
    while True:
        try:
            out = graph.pull()
        except (av.BlockingIOError, av.EOFError):
            break
        assert isinstance(out, av.AudioFrame)
        pieces.append(out.to_ndarray().reshape(-1).astype(np.float32))
    return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
