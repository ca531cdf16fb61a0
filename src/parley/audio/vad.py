"""Voice activity, frame by frame, for live audio: Silero VAD v6 (the ONNX model that ships
inside faster-whisper), with its recurrent state carried from one call to the next."""

from __future__ import annotations

from typing import Any

import numpy as np

from parley.domain.audio import FloatArray

SAMPLE_RATE = 16000
FRAME = 512  # samples per decision: 32 ms
_CONTEXT = 64  # samples of the previous frame the model sees with each frame


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
        self._state = (np.zeros((1, 1, 128), np.float32), np.zeros((1, 1, 128), np.float32))
        self._context = np.zeros(_CONTEXT, np.float32)
        self._pending = np.zeros(0, np.float32)

    def __call__(self, samples: FloatArray) -> FloatArray:
        """Probabilities of the whole frames completed by `samples`, in order."""
        audio = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        count = len(audio) // FRAME
        self._pending = audio[count * FRAME :]
        if count == 0:
            return np.zeros(0, np.float32)
        frames = audio[: count * FRAME].reshape(count, FRAME)
        contexts = np.concatenate([self._context[None, :], frames[:-1, -_CONTEXT:]])
        self._context = frames[-1, -_CONTEXT:].copy()
        probabilities, h, c = self._session.run(
            None,
            {
                "input": np.concatenate([contexts, frames], axis=1),
                "h": self._state[0],
                "c": self._state[1],
            },
        )
        self._state = (h, c)
        return np.asarray(probabilities, np.float32).reshape(-1)
