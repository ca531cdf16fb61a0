"""The benchmark measures speech, never silence: a clip with too little speech in it, or a
set whose clips are all longer than the audio asked for, is refused."""

from __future__ import annotations

import numpy as np
import pytest

from parley.bench.speech import BUNDLED_SPEECH, Utterance, load_speech_set, long_audio, speech_clip
from parley.errors import InvalidArgument


def _silent(seconds: float) -> Utterance:
    return Utterance("quiet", np.zeros(int(seconds * 16000), np.float32), "", b"")


def test_a_clip_of_speech_is_taken() -> None:
    read = [u for u in load_speech_set(BUNDLED_SPEECH, "en") if u.kind == "read"]
    assert len(speech_clip(read, 5.0)) == 5 * 16000


def test_a_clip_of_silence_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="speech"):
        speech_clip([_silent(8.0)], 5.0)


def test_too_little_audio_is_refused() -> None:
    read = [u for u in load_speech_set(BUNDLED_SPEECH, "en") if u.kind == "read"][:1]
    with pytest.raises(InvalidArgument):
        speech_clip(read, 60.0)


def test_long_audio_refuses_when_no_clip_fits() -> None:
    with pytest.raises(InvalidArgument, match="as short as"):
        long_audio([_silent(8.0)], 5.0)
