"""Voice activity, frame by frame, for live audio: Silero VAD v6 (the ONNX model that ships
inside faster-whisper), with its recurrent state carried from one call to the next."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np

from parley.domain.audio import FloatArray

SAMPLE_RATE = 16000
FRAME = 512  # samples per decision: 32 ms
_CONTEXT = 64  # samples of the previous frame the model sees with each frame
# A frame below this is not speech (the lower of the two thresholds Silero advises).
QUIET = 0.35
# Silence after which the VAD starts afresh (see `StreamingVad.reset`).
FRESH_AFTER_SECONDS = 1.0


def _session() -> Any:
    import onnxruntime
    from faster_whisper.utils import get_assets_path

    options = onnxruntime.SessionOptions()
    options.inter_op_num_threads = 1
    options.intra_op_num_threads = 1
    options.log_severity_level = 4
    return onnxruntime.InferenceSession(
        f"{get_assets_path()}/silero_vad_v6.onnx",
        providers=["CPUExecutionProvider"],
        sess_options=options,
    )


class StreamingVad:
    """Speech probability for each 32 ms frame of 16 kHz audio, fed in pieces of any size.
    Costs well under a millisecond per frame on one core."""

    def __init__(self) -> None:
        self._session = _session()
        self.reset()
        self._pending = np.zeros(0, np.float32)

    def reset(self) -> None:
        """Forget what came before. The model's recurrent state carried from one utterance
        over a pause into the next kept it from hearing quiet speech there (measured: the
        start of a soft-spoken clip after a read one scored 0.1-0.4 where the same clip
        alone scored 0.5-0.9). Zeroed, it is as deaf for a second or two: "um, I have a
        cold" said 0.4 s after the end of a sentence scored 0.07-0.23 afresh and 0.72-0.82
        in context. So a live stream resets it only after a silence."""
        self._state = (np.zeros((1, 1, 128), np.float32), np.zeros((1, 1, 128), np.float32))
        self._context = np.zeros(_CONTEXT, np.float32)

    def frames(self, samples: FloatArray) -> Iterator[float]:
        """Probabilities of the whole frames completed by `samples`, in order, one at a
        time: the caller may `reset` between two."""
        audio = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        count = len(audio) // FRAME
        self._pending = audio[count * FRAME :]
        for frame in audio[: count * FRAME].reshape(count, FRAME):
            yield self._run(frame)

    def _run(self, frame: FloatArray) -> float:
        window = np.concatenate([self._context, frame])[None, :]
        self._context = frame[-_CONTEXT:].copy()
        probability, h, c = self._session.run(
            None, {"input": window, "h": self._state[0], "c": self._state[1]}
        )
        self._state = (h, c)
        return float(np.asarray(probability).reshape(-1)[0])


def fresh_regions(samples: FloatArray) -> list[tuple[int, int]]:
    """16 kHz audio read whole, split where a live stream's VAD would start afresh: in the
    middle of each silence of FRESH_AFTER_SECONDS. Carried over such a silence, the
    model's state kept it from hearing quieter speech after it, for the rest of a file
    (the tuning clips in telephone band, one after the other: whole sentences unheard)."""
    vad = StreamingVad()
    limit = round(FRESH_AFTER_SECONDS * SAMPLE_RATE / FRAME)
    bounds, quiet = [0], 0
    for index, probability in enumerate(vad.frames(samples)):
        quiet = quiet + 1 if probability < QUIET else 0
        if quiet == limit:
            vad.reset()
            bounds.append((index + 1 - limit // 2) * FRAME)
    bounds.append(len(samples))
    return list(itertools.pairwise(bounds))
